/**
 * The log-stream Lambda (handlers/api/log-stream-lambda.ts) in Lambda's response-stream shape, against
 * the local platform: a stand-in `awslambda` global (this file's only) marks the handler and hands it
 * a Writable with the response metadata, as the Node.js runtime does for a RESPONSE_STREAM function
 * URL. Also the buffered API Lambda on the same route, which can only long-poll.
 */
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { followLogStream, readSse, type SseEvent } from '../../cli/sse.js';
import { LAMBDA_STREAM_MAX_BYTES, STREAM_END_MARGIN_MS } from '../../handlers/api/stream-limits.js';
import { putObject } from '../support/local-aws.js';
import { tarFixture, validBundleEntries } from '../support/tar-fixture.js';
import { createReadyProject, startApiHarness, TOKEN, userWithToken, waitFor, type ApiHarness } from './support/api-harness.js';

const STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
const CHUNKS = ['slipway: installing\n', 'slipway: building\n', 'vite v6\n', 'slipway: packaging\n', 'slipway: done\n'];
const CHUNK_GAP_MS = 400;

interface ResponseMetadata {
  statusCode: number;
  headers: Record<string, string>;
  cookies: string[];
}

/** What Lambda's runtime hands a streaming handler; `HttpResponseStream.from` attaches the metadata. */
class FakeResponseStream extends Writable {
  metadata?: ResponseMetadata;
  readonly body: ReadableStream<Uint8Array>;
  readonly opened: Promise<ResponseMetadata>;
  private controller!: ReadableStreamDefaultController<Uint8Array>;
  private resolveOpened!: (metadata: ResponseMetadata) => void;
  constructor() {
    super();
    this.body = new ReadableStream({ start: (controller) => void (this.controller = controller) });
    this.opened = new Promise((resolve) => (this.resolveOpened = resolve));
  }
  open(metadata: ResponseMetadata): void {
    this.metadata = metadata;
    this.resolveOpened(metadata);
  }
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    if (chunk.length > 0) this.controller.enqueue(new Uint8Array(chunk));
    done();
  }
  override _final(done: () => void): void {
    this.controller.close();
    done();
  }
}

type StreamingHandler = (event: APIGatewayProxyEventV2, stream: FakeResponseStream, context: Context) => Promise<void>;

let harness: ApiHarness;
let streamHandler: StreamingHandler;
let bufferedHandler: (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;
const buildFinishedAt = new Map<string, number>();
/** A deployment the first test followed to LIVE. */
let liveId: string;

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
  (globalThis as { awslambda?: unknown }).awslambda = {
    streamifyResponse: (handler: StreamingHandler) => Object.assign(handler, { [STREAMING]: 'response' }),
    HttpResponseStream: {
      from(stream: FakeResponseStream, metadata: ResponseMetadata) {
        stream.open(metadata);
        return stream;
      },
    },
  };
  // Both entries build their app at import; the stream's calls awslambda.streamifyResponse then.
  streamHandler = (await import('../../handlers/api/log-stream-lambda.js')).handler as unknown as StreamingHandler;
  expect((streamHandler as unknown as Record<symbol, unknown>)[STREAMING]).toBe('response');
  bufferedHandler = (await import('../../handlers/api/lambda.js')).handler as unknown as typeof bufferedHandler;
  await createReadyProject(harness, 'streamtest');
}, 120_000);

afterAll(async () => {
  delete (globalThis as { awslambda?: unknown }).awslambda;
  await harness?.close();
});

/** A function URL's event (payload 2.0) for a GET of `path` below /api/v1. */
function urlEvent(path: string, headers: Record<string, string>): APIGatewayProxyEventV2 {
  const rawPath = `/api/v1${path}`;
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString: '',
    headers: { host: 'abcdefghij.lambda-url.eu-west-1.on.aws', ...headers },
    requestContext: {
      http: { method: 'GET', path: rawPath, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'test' },
      domainName: 'abcdefghij.lambda-url.eu-west-1.on.aws',
      requestId: 'request-1',
    },
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEventV2;
}

/** A Lambda context with `remainingMs` left at the start of the invocation. */
function lambdaContext(remainingMs: number): Context {
  const end = Date.now() + remainingMs;
  return { getRemainingTimeInMillis: () => end - Date.now(), awsRequestId: 'request-1' } as unknown as Context;
}

/** Invokes the streaming handler; resolves once the metadata is out, the body still streaming. */
async function invokeStream(path: string, headers: Record<string, string>, context = lambdaContext(900_000)) {
  const stream = new FakeResponseStream();
  const finished = streamHandler(urlEvent(path, headers), stream, context);
  const metadata = await Promise.race([stream.opened, finished.then(() => stream.opened)]);
  return { metadata, body: stream.body, finished };
}

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
  it('sends the head at once and each chunk as the build writes it, then end', async () => {
    const id = await startDeployment('streamtest');
    liveId = id;
    const opened = Date.now();
    const { metadata, body, finished } = await invokeStream(logPath('streamtest', id), bearer);
    expect(metadata.statusCode).toBe(200);
    expect(metadata.headers['content-type']).toMatch(/^text\/event-stream/);
    // The head does not wait for the first chunk: the build writes one every 400 ms.
    expect(Date.now() - opened).toBeLessThan(CHUNK_GAP_MS);
    const events = await readAll(body);
    await finished;
    const logs = events.filter((e) => e.event === 'log');
    expect(logs.map((e) => e.data)).toEqual(CHUNKS);
    expect(JSON.parse(events.at(-1)!.data)).toEqual({ status: 'LIVE' });
    // Live: the first chunks reached the reader while the build was still writing the others.
    const finishedAt = buildFinishedAt.get(id)!;
    expect(logs[0]!.at).toBeLessThan(finishedAt - CHUNK_GAP_MS);
    expect(logs[1]!.at).toBeLessThan(finishedAt);
  });

  it('refuses a request without credentials, or with a wrong token, before streaming', async () => {
    const id = await startDeployment('streamtest');
    for (const headers of [{}, { authorization: 'Bearer not-the-admin-token-0000' }] as Record<string, string>[]) {
      const { metadata, body, finished } = await invokeStream(logPath('streamtest', id), headers);
      await finished;
      expect(metadata.statusCode).toBe(401);
      expect(metadata.headers['content-type']).toMatch(/json/);
      expect(JSON.parse(await new Response(body).text())).toMatchObject({ error: { code: 'Unauthorized' } });
    }
  });

  it("refuses another user's deployment as not found, and streams it to its owner", async () => {
    const alice = await userWithToken(harness, 'alice', ['user']);
    const bob = await userWithToken(harness, 'bob', ['user']);
    await createReadyProject(harness, 'alicesite', alice);
    const id = await startDeployment('alicesite', alice);

    const refused = await invokeStream(logPath('alicesite', id), bob);
    await refused.finished;
    expect(refused.metadata.statusCode).toBe(404);
    const refusal = await new Response(refused.body).text();
    expect(JSON.parse(refusal)).toMatchObject({ error: { code: 'NotFound' } });
    expect(refusal).not.toContain('slipway:');

    const owned = await invokeStream(logPath('alicesite', id), alice);
    expect(owned.metadata.statusCode).toBe(200);
    const events = await readAll(owned.body);
    expect(events.filter((e) => e.event === 'log').map((e) => e.data)).toEqual(CHUNKS);
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
    // From the build's first chunk on: the 900 ms answer then holds some chunks, never all five.
    await waitFor(
      () => harness.call('GET', `/projects/streamtest/deployments/${id}/logs`),
      (logs) => logs.json.text !== '',
    );
    const started = Date.now();
    const result = await bufferedHandler(urlEvent(logPath('streamtest', id), bearer), lambdaContext(STREAM_END_MARGIN_MS + 900));
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(result.statusCode).toBe(200);
    // API Gateway decodes a base64 body before the client sees it.
    const text = result.isBase64Encoded ? Buffer.from(result.body ?? '', 'base64').toString() : (result.body ?? '');
    const events = await readAll(new Response(text).body!);
    expect(events.at(-1)?.event).toBe('reconnect');
    const logs = events.filter((e) => e.event === 'log');
    expect(logs.length).toBeGreaterThan(0);
    expect(logs.length).toBeLessThan(CHUNKS.length);
    expect(logs.map((e) => e.data)).toEqual(CHUNKS.slice(0, logs.length));
  });

  it("answers a log larger than a buffered response's 6 MB in several, each under it, nothing twice", async () => {
    // 4.8 MB more of this deployment's log (a build stores at most 5 MB), in 8 chunks after its own five.
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
