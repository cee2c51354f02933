import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiClient } from '../../cli/api-client.js';
import { followDeploymentLog } from '../../cli/deploy.js';

/**
 * How `slipway deploy` follows a deployment: by the log's server-sent events, and by polling the
 * cursor route from the last chunk printed when the stream cannot be opened or breaks. The server
 * here answers as the API's two log routes do (same paths, event ids that are the route's cursors).
 */
const PREFIX = 'logs/d1/';
const CHUNKS = [
  { key: `${PREFIX}0001`, text: 'step one\n' },
  { key: `${PREFIX}0002`, text: 'step two\n' },
  { key: `${PREFIX}0003`, text: 'step three\n' },
];

interface Seen {
  streams: Array<string | undefined>;
  polls: Array<string | null>;
}

let server: Server | undefined;

afterEach(async () => {
  await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
  server = undefined;
});

/** `stream` answers the stream route; the cursor route answers every chunk after the cursor, and done. */
async function api(stream: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ client: ApiClient; seen: Seen }> {
  const seen: Seen = { streams: [], polls: [] };
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/api/v1/projects/site/deployments/d1/logs/stream') {
      seen.streams.push(req.headers['last-event-id'] as string | undefined);
      stream(req, res);
      return;
    }
    if (url.pathname === '/api/v1/projects/site/deployments/d1/logs') {
      const cursor = url.searchParams.get('cursor');
      seen.polls.push(cursor);
      const after = CHUNKS.slice(cursor ? CHUNKS.findIndex((chunk) => chunk.key === cursor) + 1 : 0);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ text: after.map((c) => c.text).join(''), cursor: CHUNKS.at(-1)?.key, done: true, status: 'LIVE' }));
      return;
    }
    res.statusCode = 404;
    res.end('{}');
  });
  await new Promise<void>((done) => server?.listen(0, '127.0.0.1', done));
  const port = (server.address() as AddressInfo).port;
  return { client: new ApiClient({ apiUrl: `http://127.0.0.1:${port}/api/v1`, token: 't', port }), seen };
}

/** A `log` event as the API writes it: a chunk of several lines travels as several data lines (joined with "\n" by the reader). */
const event = (chunk: { key: string; text: string }) =>
  `event: log\nid: ${chunk.key}\n${chunk.text
    .split('\n')
    .map((line) => `data: ${line}`)
    .join('\n')}\n\n`;

describe('slipway deploy follows the build log', () => {
  it('by server-sent events: every chunk once, in order, and no polling', async () => {
    const { client, seen } = await api((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const chunk of CHUNKS) res.write(event(chunk));
      res.end('event: end\ndata: {"status":"LIVE"}\n\n');
    });
    let printed = '';
    await followDeploymentLog(client, { project: 'site', onLog: (text) => (printed += text) }, 'd1');
    expect(printed).toBe(CHUNKS.map((c) => c.text).join(''));
    expect(seen).toEqual({ streams: [undefined], polls: [] });
  });

  it('polls from the last chunk printed when the stream breaks (after one reconnect), printing nothing twice', async () => {
    const { client, seen } = await api((req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      // The first connection delivers one chunk, the reconnect another, then both drop without `end`.
      const from = req.headers['last-event-id'] ? 1 : 0;
      res.end(event(CHUNKS[from] as { key: string; text: string }));
    });
    let printed = '';
    await followDeploymentLog(client, { project: 'site', onLog: (text) => (printed += text), pollMs: 1 }, 'd1');
    expect(printed).toBe(CHUNKS.map((c) => c.text).join(''));
    expect(seen).toEqual({ streams: [undefined, CHUNKS[0]?.key], polls: [CHUNKS[1]?.key] });
  });

  it('polls from the start when the platform has no stream route', async () => {
    const { client, seen } = await api((_req, res) => {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"error":{"code":"NotFound","message":"no such route"}}');
    });
    let printed = '';
    await followDeploymentLog(client, { project: 'site', onLog: (text) => (printed += text), pollMs: 1 }, 'd1');
    expect(printed).toBe(CHUNKS.map((c) => c.text).join(''));
    expect(seen).toEqual({ streams: [undefined], polls: [null] });
  });
});
