import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { putObject } from '../support/local-aws.js';
import { tarFixture, validBundleEntries } from '../support/tar-fixture.js';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { readSse, followLogStream, type SseEvent } from '../../cli/sse.js';
import { ApiClient } from '../../cli/api-client.js';
import { createReadyProject, startApiHarness, TOKEN, waitFor, type ApiHarness } from './support/api-harness.js';

/** The build log as server-sent events, read with the CLI's parser while a build writes chunks over time. */
const CHUNKS = ['slipway: installing\n', 'slipway: building\nvite v6\n', 'slipway: packaging\n', 'slipway: done\n'];
let harness: ApiHarness;
let buildFinishedAt = 0;

beforeAll(async () => {
  harness = await startApiHarness({
    buildJob: async (aws, request) => {
      const id = request.environment.SLIPWAY_BUILD_ID as string;
      for (const [index, text] of CHUNKS.entries()) {
        await putObject(aws.s3, 'slipway-builds', `builds/${id}/log/${String(index).padStart(8, '0')}.txt`, text);
        await sleep(400);
      }
      await putObject(aws.s3, 'slipway-builds', `builds/${id}/bundle.tar.gz`, tarFixture(validBundleEntries()));
      buildFinishedAt = Date.now();
      return { jobId: id, status: 'SUCCEEDED' };
    },
  });
  await createReadyProject(harness, 'ssetest');
});

afterAll(async () => {
  await harness?.close();
});

function stream(path: string, headers: Record<string, string> = {}) {
  return harness.app.request(`/api/v1${path}`, { headers: { authorization: `Bearer ${TOKEN}`, ...headers } });
}

async function readAll(response: Response): Promise<Array<SseEvent & { at: number }>> {
  const events: Array<SseEvent & { at: number }> = [];
  for await (const event of readSse(response.body!)) events.push({ ...event, at: Date.now() });
  return events;
}

async function startDeployment(project: string): Promise<string> {
  const archive = Buffer.from('sse source');
  const source = await harness.call('POST', `/projects/${project}/sources`, { bytes: archive.length });
  await fetch(source.json.uploadUrl, { method: 'PUT', headers: source.json.headers, body: archive });
  const started = await harness.call('POST', `/projects/${project}/deployments`, { source: { key: source.json.source.key } });
  expect(started.status).toBe(202);
  return started.json.deployment.id as string;
}

describe('GET /projects/{name}/deployments/{id}/logs/stream', () => {
  let id: string;
  let events: Array<SseEvent & { at: number }>;

  it('streams each chunk as it is written, in order, then the end event with the status', async () => {
    id = await startDeployment('ssetest');
    const response = await stream(`/projects/ssetest/deployments/${id}/logs/stream`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    events = await readAll(response);
    const logs = events.filter((e) => e.event === 'log');
    expect(logs.map((e) => e.data)).toEqual(CHUNKS);
    expect(logs.map((e) => e.id)).toEqual(CHUNKS.map((_, i) => `builds/${id}/log/${String(i).padStart(8, '0')}.txt`));
    expect(events.at(-1)).toMatchObject({ event: 'end' });
    expect(JSON.parse(events.at(-1)!.data)).toEqual({ status: 'LIVE' });
    expect(events.filter((e) => e.event === 'end')).toHaveLength(1);
    // Live: the first chunk arrived while the build was still writing the others.
    expect(logs[0]!.at).toBeLessThan(buildFinishedAt);
  });

  it('resumes after Last-Event-ID', async () => {
    const after = events.filter((e) => e.event === 'log')[1]!.id!;
    const resumed = await readAll(await stream(`/projects/ssetest/deployments/${id}/logs/stream`, { 'last-event-id': after }));
    expect(resumed.filter((e) => e.event === 'log').map((e) => e.data)).toEqual(CHUNKS.slice(2));
    expect(JSON.parse(resumed.at(-1)!.data)).toEqual({ status: 'LIVE' });
    const last = events.filter((e) => e.event === 'log').at(-1)!.id!;
    const nothingLeft = await readAll(await stream(`/projects/ssetest/deployments/${id}/logs/stream`, { 'last-event-id': last }));
    expect(nothingLeft.map((e) => e.event)).toEqual(['end']);
  });

  it('validates the path and the Last-Event-ID header before streaming', async () => {
    const foreign = await stream(`/projects/ssetest/deployments/${id}/logs/stream`, {
      'last-event-id': 'builds/d-other-0000/log/00000000.txt',
    });
    expect(foreign.status).toBe(400);
    expect(await foreign.json()).toMatchObject({ error: { code: 'BadRequest', field: 'header.last-event-id' } });
    expect((await stream(`/projects/ssetest/deployments/${id}/logs/stream`, { 'last-event-id': `builds/${id}/log/../x` })).status).toBe(
      400,
    );
    expect((await stream('/projects/ssetest/deployments/not-an-id/logs/stream')).status).toBe(400);
    expect((await stream('/projects/ssetest/deployments/d-nosuch-0000/logs/stream')).status).toBe(404);
    expect((await harness.app.request(`/api/v1/projects/ssetest/deployments/${id}/logs/stream`)).status).toBe(401);
  });

  it('streams over HTTP to the CLI client as the build writes', async () => {
    const server = serve({ fetch: harness.app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const api = new ApiClient({
        apiUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`,
        token: TOKEN,
        port: undefined,
      });
      const deployment = await startDeployment('ssetest');
      const received: Array<{ text: string; at: number }> = [];
      const path = `/projects/ssetest/deployments/${deployment}/logs/stream`;
      const end = await followLogStream(
        (lastEventId) => api.stream(path, lastEventId ? { 'last-event-id': lastEventId } : {}),
        (text) => received.push({ text, at: Date.now() }),
      );
      expect(received.map((r) => r.text)).toEqual(CHUNKS);
      expect(received[0]!.at).toBeLessThan(buildFinishedAt);
      expect(end).toEqual({ status: 'LIVE' });
      await expect(api.stream('/projects/ssetest/deployments/d-nosuch-0000/logs/stream')).rejects.toMatchObject({
        status: 404,
        code: 'NotFound',
      });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('ends a stream whose reader goes away without waiting for the build', async () => {
    const second = await startDeployment('ssetest');
    const response = await stream(`/projects/ssetest/deployments/${second}/logs/stream`);
    const reader = response.body!.getReader();
    await reader.read();
    await reader.cancel();
    await waitFor(
      () => harness.call('GET', `/projects/ssetest/deployments/${second}`),
      (r) => r.json.deployment.status === 'LIVE',
    );
  });
});

describe('followLogStream (the CLI side of logs --follow)', () => {
  const body = (text: string) => new Response(new Blob([text]).stream(), { headers: { 'content-type': 'text/event-stream' } });

  it('reconnects once with Last-Event-ID after a dropped connection, printing nothing twice', async () => {
    const { followLogStream } = await import('../../cli/sse.js');
    const asked: Array<string | undefined> = [];
    const printed: string[] = [];
    const end = await followLogStream(
      async (lastEventId) => {
        asked.push(lastEventId);
        return asked.length === 1
          ? body('event: log\ndata: one\ndata: \nid: builds/d-x-0000/log/0.txt\n\n: heartbeat\n\nevent: log\ndata: tw')
          : body(
              'event: log\r\ndata: two\r\nid: builds/d-x-0000/log/1.txt\r\n\r\nevent: end\ndata: {"status":"FAILED","failedState":"Build"}\n\n',
            );
      },
      (text) => printed.push(text),
    );
    expect(asked).toEqual([undefined, 'builds/d-x-0000/log/0.txt']);
    expect(printed).toEqual(['one\n', 'two']);
    expect(end).toEqual({ status: 'FAILED', failedState: 'Build' });
  });

  it('reopens after every reconnect event without spending the reconnect allowance', async () => {
    const { followLogStream } = await import('../../cli/sse.js');
    const asked: Array<string | undefined> = [];
    const printed: string[] = [];
    const reconnect = 'event: reconnect\ndata: this stream reached its time limit\n\n';
    const end = await followLogStream(
      async (lastEventId) => {
        asked.push(lastEventId);
        if (asked.length === 1) return body(`retry: 1000\n\nevent: log\ndata: one\nid: builds/d-x-0000/log/0.txt\n\n${reconnect}`);
        // Quiet builds: connections that bring nothing and end at their time limit.
        if (asked.length <= 4) return body(`retry: 1000\n\n: heartbeat\n\n${reconnect}`);
        return body('event: log\ndata: two\nid: builds/d-x-0000/log/1.txt\n\nevent: end\ndata: {"status":"LIVE"}\n\n');
      },
      (text) => printed.push(text),
      { reconnects: 0 },
    );
    expect(asked).toEqual([undefined, ...Array(4).fill('builds/d-x-0000/log/0.txt')]);
    expect(printed).toEqual(['one', 'two']);
    expect(end).toEqual({ status: 'LIVE' });
  });

  it('gives up after the one reconnect, and does not reconnect after an API error', async () => {
    const { followLogStream } = await import('../../cli/sse.js');
    let opened = 0;
    await expect(
      followLogStream(
        async () => (opened++, body('event: log\ndata: x\n\n')),
        () => undefined,
      ),
    ).rejects.toThrow(/closed before the deployment ended/);
    expect(opened).toBe(2);
    opened = 0;
    const refused = Object.assign(new Error('deployment d-x-0000 does not exist'), { status: 404 });
    await expect(
      followLogStream(
        async () => (opened++, Promise.reject(refused)),
        () => undefined,
      ),
    ).rejects.toBe(refused);
    expect(opened).toBe(1);
  });
});
