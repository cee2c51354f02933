/**
 * The log-stream Lambda (handlers/api/log-stream-lambda.ts) in Lambda's response-stream shape
 * (./support/lambda-stream.ts), against the local platform; also the buffered API Lambda on the same
 * route, which can only long-poll. Refusals of other callers: test/security/log-stream-function-url.test.ts.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { followLogStream, readSse, type SseEvent } from '../../cli/sse.js';
import { LAMBDA_STREAM_MAX_BYTES, STREAM_END_MARGIN_MS } from '../../handlers/api/stream-limits.js';
import { putObject } from '../support/local-aws.js';
import { tarFixture, validBundleEntries } from '../support/tar-fixture.js';
import {
  invokeStream,
  lambdaContext,
  loadLogStreamLambda,
  type StreamingHandler,
  unloadAwsLambdaGlobal,
  urlEvent,
} from './support/lambda-stream.js';
import { createReadyProject, deployOnce, startApiHarness, TOKEN, waitFor, type ApiHarness } from './support/api-harness.js';

const CHUNKS = ['slipway: installing\n', 'slipway: building\n', 'vite v6\n', 'slipway: packaging\n', 'slipway: done\n'];
const CHUNK_GAP_MS = 400;

let harness: ApiHarness;
let streamHandler: StreamingHandler;
let bufferedHandler: (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;
const buildFinishedAt = new Map<string, number>();
/** A deployment the first test followed to LIVE. */
let liveDeployment: string | undefined;

beforeAll(async () => {
  harness = await startApiHarness({
    buildJob: async (aws, request) => {
      const id = request.environment.SLIPWAY_BUILD_ID as string;
      for (const [index, text] of CHUNKS.entries()) {
        await putObject(aws.s3, 'slipway-builds', `builds/${id}/log/${String(index).padStart(8, '0')}.txt`, text);
        await sleep(CHUNK_GAP_MS);
      }
      await putObject(aws.s3, 'slipway-builds', `builds/${id}/bundle.tar.gz`, tarFixture(validBundleEntries()));
      buildFinishedAt.set(id, Date.now());
      return { jobId: id, status: 'SUCCEEDED' };
    },
  });
  streamHandler = await loadLogStreamLambda();
  bufferedHandler = (await import('../../handlers/api/lambda.js')).handler as unknown as typeof bufferedHandler;
  await createReadyProject(harness, 'streamtest');
}, 120_000);

afterAll(async () => {
  unloadAwsLambdaGlobal();
  await harness?.close();
});

async function readAll(body: ReadableStream<Uint8Array>): Promise<Array<SseEvent & { at: number }>> {
  const events: Array<SseEvent & { at: number }> = [];
  for await (const event of readSse(body)) events.push({ ...event, at: Date.now() });
  return events;
}

async function startDeployment(project: string, headers: Record<string, string> = {}): Promise<string> {
  const archive = Buffer.from('stream source');
  const source = await harness.call('POST', `/projects/${project}/sources`, { bytes: archive.length }, headers);
  await fetch(source.json.uploadUrl, { method: 'PUT', headers: source.json.headers, body: archive });
  const started = await harness.call('POST', `/projects/${project}/deployments`, { source: { key: source.json.source.key } }, headers);
  expect(started.status).toBe(202);
  return started.json.deployment.id as string;
}

const logPath = (project: string, id: string) => `/projects/${project}/deployments/${id}/logs/stream`;
const bearer = { authorization: `Bearer ${TOKEN}` };

describe('the log-stream Lambda behind a RESPONSE_STREAM function URL', () => {
  it('streams each chunk as the build writes it, then end', async () => {
    const id = await startDeployment('streamtest');
    liveDeployment = id;
    const { metadata, body: stream, finished } = await invokeStream(streamHandler, logPath('streamtest', id), bearer);
    expect(metadata.statusCode).toBe(200);
    expect(metadata.headers['content-type']).toMatch(/^text\/event-stream/);
    const [raw, body] = stream.tee();
    const text = new Response(raw).text();
    const events = await readAll(body);
    await finished;
    const logs = events.filter((e) => e.event === 'log');
    expect(logs.map((e) => e.data)).toEqual(CHUNKS);
    expect(JSON.parse(events.at(-1)!.data)).toEqual({ status: 'LIVE' });
    // Live: the first chunks reached the reader while the build was still writing the others.
    const finishedAt = buildFinishedAt.get(id)!;
    expect(logs[0]!.at).toBeLessThan(finishedAt - CHUNK_GAP_MS);
    expect(logs[1]!.at).toBeLessThan(finishedAt);
    // The stream opens with its reconnection delay, so an EventSource that loses it comes back within a second.
    expect(await text).toMatch(/^retry: 1000\n\n/);
  });

  it('ends before the Lambda time limit with reconnect; the CLI resumes from Last-Event-ID until end', async () => {
    const id = await startDeployment('streamtest');
    const asked: Array<string | undefined> = [];
    const endings: string[] = [];
    const printed: string[] = [];
    // 900 ms of stream per invocation: the 2 s build spans three or more.
    const end = await followLogStream(
      async (lastEventId) => {
        asked.push(lastEventId);
        const { metadata, body, finished } = await invokeStream(
          streamHandler,
          logPath('streamtest', id),
          { ...bearer, ...(lastEventId ? { 'last-event-id': lastEventId } : {}) },
          lambdaContext(STREAM_END_MARGIN_MS + 900),
        );
        expect(metadata.statusCode).toBe(200);
        const [reading, teeBody] = body.tee();
        void readAll(reading).then((events) => endings.push(events.at(-1)?.event ?? 'none'));
        void finished;
        return new Response(teeBody, { status: metadata.statusCode, headers: metadata.headers });
      },
      (text) => printed.push(text),
    );
    expect(end).toEqual({ status: 'LIVE' });
    expect(printed).toEqual(CHUNKS);
    expect(asked.length).toBeGreaterThanOrEqual(3);
    expect(asked[0]).toBeUndefined();
    // Each reconnection asked for what follows the last chunk printed before it.
    for (const lastEventId of asked.slice(1)) if (lastEventId) expect(lastEventId).toMatch(new RegExp(`^builds/${id}/log/\\d{8}\\.txt$`));
    await expect.poll(() => endings.length).toBe(asked.length);
    expect(endings.slice(0, -1).every((ending) => ending === 'reconnect')).toBe(true);
    expect(endings.at(-1)).toBe('end');
  });
});

describe('the same route through the buffered API Lambda (HTTP API, 29 s)', () => {
  it('answers within the time limit with what was written so far and reconnect: a long poll', async () => {
    const id = await startDeployment('streamtest');
    // From the build's first chunk on: the 900 ms answer then holds some chunks, and the build (2 s) has not ended.
    await waitFor(
      () => harness.call('GET', `/projects/streamtest/deployments/${id}/logs`),
      (logs) => logs.json.text !== '',
    );
    const started = Date.now();
    const result = await bufferedHandler(urlEvent(logPath('streamtest', id), bearer), lambdaContext(STREAM_END_MARGIN_MS + 900));
    // Far inside the 29 s: the answer came at the stream's own limit, not the Lambda's.
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(result.statusCode).toBe(200);
    // API Gateway decodes a base64 body before the client sees it.
    const text = result.isBase64Encoded ? Buffer.from(result.body ?? '', 'base64').toString() : (result.body ?? '');
    const events = await readAll(new Response(text).body!);
    expect(events.at(-1)?.event).toBe('reconnect');
    const logs = events.filter((e) => e.event === 'log');
    expect(logs.length).toBeGreaterThan(0);
    expect(logs.map((e) => e.data)).toEqual(CHUNKS.slice(0, logs.length));
  });

  it("answers a log larger than a buffered response's 6 MB in several, each under it, nothing twice", async () => {
    // A LIVE deployment (the first test's, when it ran), its log grown by 4.8 MB (a build stores at
    // most 5 MB) in 8 chunks after its own five.
    const liveId = (liveDeployment ??= (await deployOnce(harness, 'streamtest')).id);
    const line = `${'x'.repeat(99)}\n`;
    const big = Array.from({ length: 8 }, (_, i) => `chunk ${i}\n${line.repeat(6_000)}`);
    for (const [i, text] of big.entries())
      await putObject(harness.aws.s3, 'slipway-builds', `builds/${liveId}/log/${String(CHUNKS.length + i).padStart(8, '0')}.txt`, text);
    const sizes: number[] = [];
    const printed: string[] = [];
    const end = await followLogStream(
      async (lastEventId) => {
        const result = await bufferedHandler(
          urlEvent(logPath('streamtest', liveId), { ...bearer, ...(lastEventId ? { 'last-event-id': lastEventId } : {}) }),
          lambdaContext(29_000),
        );
        // What the Lambda returns to API Gateway, envelope and all.
        sizes.push(Buffer.byteLength(JSON.stringify(result)));
        const text = result.isBase64Encoded ? Buffer.from(result.body ?? '', 'base64').toString() : (result.body ?? '');
        return new Response(text, { status: result.statusCode ?? 200 });
      },
      (text) => printed.push(text),
    );
    expect(end).toEqual({ status: 'LIVE' });
    expect(printed).toEqual([...CHUNKS, ...big]);
    expect(sizes.length).toBeGreaterThanOrEqual(2);
    for (const size of sizes) expect(size).toBeLessThan(6 * 1024 * 1024);
    expect(Math.max(...sizes)).toBeGreaterThan((LAMBDA_STREAM_MAX_BYTES * 4) / 3);
  });
});
