import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyExampleApp, ROOT, runCli, startPlatformProcess, type PlatformProcess } from '../support/platform-process.js';

/**
 * Streaming end to end: one app with a streamed `load` (a promise resolving after ~300 ms) and an
 * endless server-sent event endpoint, deployed unchanged through the CLI and, beside it, built with
 * @sveltejs/adapter-node and served directly. Both must deliver the first bytes before the promise
 * resolves and the events one by one.
 */
const run = promisify(execFile);
const FIXTURE = join(ROOT, 'test', 'e2e', 'fixtures', 'streaming-app');

interface Target {
  name: string;
  port: number;
  host: string;
}

interface Timed {
  status: number;
  headers: IncomingHttpHeaders;
  chunks: Array<{ text: string; at: number }>;
}

/**
 * Reads a response chunk by chunk with each chunk's arrival time (ms after the request was sent);
 * stops after `until` says so (then closes the connection, as a viewer leaving would).
 */
function timedGet(target: Target, path: string, until: (chunks: Timed['chunks']) => boolean = () => false): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = httpRequest({ host: '127.0.0.1', port: target.port, path, headers: { host: target.host } }, (res) => {
      const timed: Timed = { status: res.statusCode ?? 0, headers: res.headers, chunks: [] };
      res.on('data', (chunk: Buffer) => {
        timed.chunks.push({ text: chunk.toString('utf8'), at: Math.round(performance.now() - started) });
        if (until(timed.chunks)) {
          req.destroy();
          resolve(timed);
        }
      });
      res.on('end', () => resolve(timed));
      res.on('error', reject);
    });
    req.on('error', (error) => (req.destroyed ? undefined : reject(error)));
    req.end();
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function waitForHttp(target: Target, ms: number): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      await timedGet(target, '/');
      return;
    } catch (error) {
      if (Date.now() > until) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

let home: string;
let work: string;
let platform: PlatformProcess;
let nodeServer: ChildProcess | undefined;
const targets: Target[] = [];

/** The fixture with adapter-node, built once and served by `node build`. */
async function startAdapterNode(): Promise<Target> {
  if (!existsSync(join(FIXTURE, 'node_modules', '@sveltejs', 'adapter-node'))) {
    await run('npm', ['ci', '--no-audit', '--no-fund'], { cwd: FIXTURE });
  }
  const app = join(work, 'node-app');
  copyExampleApp(FIXTURE, app);
  symlinkSync(join(FIXTURE, 'node_modules'), join(app, 'node_modules'), 'dir');
  await run('npm', ['run', 'build'], { cwd: app, maxBuffer: 64 * 1024 * 1024 });
  const port = await freePort();
  nodeServer = spawn(process.execPath, ['build'], {
    cwd: app,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: 'ignore',
  });
  const target = { name: 'adapter-node', port, host: `127.0.0.1:${port}` };
  await waitForHttp(target, 30_000);
  return target;
}

/** The same source deployed through the CLI to a local platform. */
async function deployToSlipway(): Promise<Target> {
  const app = join(work, 'slipway-app');
  copyExampleApp(FIXTURE, app);
  platform = await startPlatformProcess(home);
  const result = await runCli(home, ['deploy', app, '--project', 'streamer']);
  if (result.code !== 0) throw new Error(`deploy failed:\n${result.stdout}\n${result.stderr}\n${platform.output()}`);
  const target = { name: 'slipway', port: platform.port, host: `streamer.localhost:${platform.port}` };
  await timedGet(target, '/'); // the first request starts the worker: a cold start is not what is measured here
  return target;
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'slipway-e2e-stream-home-'));
  work = mkdtempSync(join(tmpdir(), 'slipway-e2e-stream-'));
  targets.push(...(await Promise.all([startAdapterNode(), deployToSlipway()])));
}, 600_000);

afterAll(async () => {
  nodeServer?.kill();
  await platform?.stop();
  rmSync(home, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

describe('streaming, deployed on Slipway and on adapter-node', () => {
  it('sends a streamed load page in parts: the shell before the promise resolves, the value after', async () => {
    const rows: string[] = [];
    for (const target of targets) {
      const page = await timedGet(target, '/slow');
      expect(page.status, target.name).toBe(200);
      expect(page.headers['content-type'], target.name).toMatch(/^text\/html/);
      const body = page.chunks.map((chunk) => chunk.text).join('');
      expect(body, target.name).toContain('resolved after 300 ms');
      const first = page.chunks[0]!;
      const resolved = page.chunks.find((chunk) => chunk.text.includes('resolved after 300 ms'))!;
      // The first bytes are the shell, out before the promise resolved; the value comes ~300 ms later.
      expect(first.text, target.name).toContain('shell');
      expect(first.text, target.name).not.toContain('resolved after 300 ms');
      expect(resolved.at - first.at, `${target.name}: ${JSON.stringify(page.chunks.map((c) => c.at))}`).toBeGreaterThanOrEqual(200);
      rows.push(`${target.name.padEnd(13)} first chunk ${String(first.at).padStart(4)} ms, value ${String(resolved.at).padStart(4)} ms`);
    }
    console.log(`/slow (load promise resolves after 300 ms):\n${rows.join('\n')}`);
  });

  it('sends an endless event stream one event at a time, with the same head', async () => {
    const seen: Record<string, string[]> = {};
    for (const target of targets) {
      const events = await timedGet(
        target,
        '/events',
        (chunks) =>
          chunks
            .map((chunk) => chunk.text)
            .join('')
            .split('\n\n').length > 3,
      );
      expect(events.status, target.name).toBe(200);
      expect(events.headers['content-type'], target.name).toBe('text/event-stream');
      expect(events.headers['cache-control'], target.name).toBe('no-cache');
      const text = events.chunks.map((chunk) => chunk.text).join('');
      expect(text.startsWith('data: 0\n\ndata: 1\n\ndata: 2\n\n'), `${target.name}: ${JSON.stringify(text)}`).toBe(true);
      // One event per chunk, ~100 ms apart: nothing is held back until the stream ends (it never does).
      const arrivals = events.chunks.slice(0, 3).map((chunk) => chunk.at);
      expect(events.chunks[1]?.text, target.name).toBe('data: 1\n\n');
      expect(arrivals[2]! - arrivals[0]!, `${target.name}: ${JSON.stringify(arrivals)}`).toBeGreaterThanOrEqual(150);
      seen[target.name] = events.chunks.slice(0, 3).map((chunk) => chunk.text);
    }
    expect(seen.slipway).toEqual(seen['adapter-node']);
  });
});
