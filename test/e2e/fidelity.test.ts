import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostRequest, type HttpResult } from '../support/http.js';
import { copyExampleApp, ROOT, runCli, startPlatformProcess, type PlatformProcess } from '../support/platform-process.js';

/**
 * Fidelity (issue 11): two fixture apps, each built once with its own adapter and served the way
 * that adapter's users serve it, and deployed once, unchanged, to one local platform. The same
 * request list goes to both sides; one table per app compares status, the media type, the headers
 * that matter and the decoded body, and any difference fails.
 *
 * - `examples/fidelity` (SvelteKit 2, adapter-node, `paths.base = '/base'`): prerendered pages with
 *   both trailing-slash settings, static directory indexes and extensionless HTML, a byte range,
 *   compression, version.json under the base, server-sent events, the client address; reference:
 *   `node build/index.js`.
 * - `examples/fidelity-static` (adapter-static, `fallback: '200.html'`): reference: a static host,
 *   sirv over the build with that fallback for unknown routes (`single`).
 */
const COMPARED_HEADERS = ['location', 'content-encoding', 'vary', 'content-range', 'x-accel-buffering'] as const;

interface Row {
  name: string;
  /** The path, or per side (a content-hashed file is named by that side's own page). */
  path: string | { reference: string; slipway: string };
  headers?: Record<string, string>;
  /** Only these fields count (a static host's own 404 body is not the app's). */
  only?: string[];
}

/** Where one side answers: the port, and the Host header that selects the app. */
interface Side {
  port: number;
  host: string;
}

let home: string;
const dirs: string[] = [];
let platform: PlatformProcess | undefined;
let nodeServer: ChildProcess | undefined;
let staticHost: Server | undefined;
let nodeSide: Side;
let staticSide: Side;
const deploys: Record<string, { code: number; stdout: string; stderr: string }> = {};

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

/** Runs a command as a user would in the app directory (without the NODE_ENV=test vitest sets, which changes Vite's output). */
function run(command: string, args: string[], cwd: string): Promise<void> {
  const env = { ...process.env };
  delete env.NODE_ENV;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} failed (${code}):\n${output}`))));
  });
}

async function installAndBuild(fixture: string): Promise<string> {
  const dir = tempDir(`slipway-fidelity-${fixture}-`);
  copyExampleApp(join(ROOT, 'examples', fixture), dir);
  await run('npm', ['install', '--no-audit', '--no-fund'], dir);
  await run('npm', ['run', 'build'], dir);
  return dir;
}

/** adapter-node's own server, `node build/index.js`, once it listens. */
async function startNodeServer(dir: string): Promise<{ child: ChildProcess; port: number }> {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', HOST: '127.0.0.1' };
  delete env.NODE_ENV;
  const child = spawn(process.execPath, ['build/index.js'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const listening = /Listening on http:\/\/[^:]+:(\d+)/.exec(output);
      if (listening) resolve(Number(listening[1]));
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`adapter-node exited (${code}):\n${output}`)));
  });
  return { child, port };
}

type Middleware = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

/** A static host over adapter-static's output: sirv (from the app's own dependencies) with the fallback page. */
async function startStaticHost(dir: string): Promise<{ server: Server; port: number }> {
  const sirv = createRequire(join(dir, 'package.json'))('sirv') as (root: string, options: object) => Middleware;
  const serve = sirv(join(dir, 'build'), { etag: true, gzip: true, brotli: true, single: '200.html' });
  const server = createHttpServer((req, res) =>
    serve(req, res, () => {
      res.statusCode = 404;
      res.end('Not Found');
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port };
}

/**
 * Two builds of the same source need not name their content-hashed files alike, so file names
 * under `_app/immutable/` are compared without their hash; everything else in a body must match.
 */
function withoutBuildHashes(body: string): string {
  return body.replace(/((?:_app\/immutable|\.\.?)\/(?:entry|chunks|nodes|assets)\/)[\w.-]+\.(js|css)/g, '$1#.$2');
}

function decoded(reply: HttpResult): string {
  const encoding = reply.headers['content-encoding'];
  const body = encoding === 'br' ? brotliDecompressSync(reply.body) : encoding === 'gzip' ? gunzipSync(reply.body) : reply.body;
  return body.toString('utf8');
}

/** One side's answer, reduced to what must match. */
function summary(reply: HttpResult): Record<string, string> {
  const type = reply.headers['content-type'];
  const out: Record<string, string> = {
    status: String(reply.status),
    // The media type; charset parameters differ harmlessly (sirv omits utf-8 on scripts).
    type: type ? (type.split(';')[0] ?? '').trim().toLowerCase() : '-',
  };
  for (const name of COMPARED_HEADERS) out[name] = String(reply.headers[name] ?? '-');
  out.body = withoutBuildHashes(decoded(reply));
  return out;
}

const pathOf = (row: Row, side: 'reference' | 'slipway') => (typeof row.path === 'string' ? row.path : row.path[side]);

function slipwaySide(project: string): Side {
  const port = platform?.port ?? 0;
  return { port, host: `${project}.localhost:${port}` };
}

function request(side: Side, path: string, headers?: Record<string, string>): Promise<HttpResult> {
  return hostRequest({ port: side.port, host: side.host, path, ...(headers ? { headers } : {}) });
}

/** The largest script a side's page names (each build names its own). */
async function largestScript(side: Side, page: string, prefix: string): Promise<string> {
  const html = (await request(side, page)).text;
  const scripts = [...new Set([...html.matchAll(/_app\/immutable\/[\w./-]+\.js/g)].map((m) => m[0]))];
  expect(scripts.length, html).toBeGreaterThan(0);
  const sized = await Promise.all(scripts.map(async (path) => ({ path, size: (await request(side, `${prefix}/${path}`)).body.length })));
  return `${prefix}/${sized.sort((a, b) => b.size - a.size)[0]?.path}`;
}

/** Sends every row to both sides; returns the table and the differences. */
async function compare(rows: Row[], reference: Side, slipway: Side): Promise<{ table: string; differences: string[] }> {
  const lines: string[] = [];
  const differences: string[] = [];
  const show = (s: Record<string, string>) =>
    `${s.status} ${s.type}${COMPARED_HEADERS.filter((h) => s[h] !== '-')
      .map((h) => ` ${h}=${s[h]}`)
      .join('')} ${s.body?.length}B`;
  for (const row of rows) {
    const theirs = summary(await request(reference, pathOf(row, 'reference'), row.headers));
    const ours = summary(await request(slipway, pathOf(row, 'slipway'), row.headers));
    const fields = Object.keys(theirs).filter(
      (field) => (row.only ?? Object.keys(theirs)).includes(field) && theirs[field] !== ours[field],
    );
    lines.push(`${fields.length ? '✗' : '✓'} ${row.name.padEnd(52)} ${show(theirs).padEnd(72)} | ${show(ours)}`);
    for (const field of fields) {
      differences.push(
        `${row.name} (${pathOf(row, 'reference')}): ${field}: reference ${JSON.stringify(theirs[field]?.slice(0, 300))}, Slipway ${JSON.stringify(ours[field]?.slice(0, 300))}`,
      );
    }
  }
  return { table: lines.join('\n'), differences };
}

beforeAll(async () => {
  home = tempDir('slipway-fidelity-home-');
  const deployDir = tempDir('slipway-fidelity-app-');
  const staticDeployDir = tempDir('slipway-fidelity-static-app-');
  copyExampleApp(join(ROOT, 'examples', 'fidelity'), deployDir);
  copyExampleApp(join(ROOT, 'examples', 'fidelity-static'), staticDeployDir);
  // The platform starts first (it needs the CPU for a moment); then the references build while
  // it deploys: all of that mostly waits on installs.
  platform = await startPlatformProcess(home);
  const deployed = (async () => {
    deploys.fidelity = await runCli(home, ['deploy', deployDir, '--project', 'fidelity']);
    deploys['fidelity-static'] = await runCli(home, ['deploy', staticDeployDir, '--project', 'fidelity-static']);
  })();
  const referencesStarted = (async () => {
    const node = await startNodeServer(await installAndBuild('fidelity'));
    nodeServer = node.child;
    nodeSide = { port: node.port, host: `127.0.0.1:${node.port}` };
    const host = await startStaticHost(await installAndBuild('fidelity-static'));
    staticHost = host.server;
    staticSide = { port: host.port, host: `127.0.0.1:${host.port}` };
  })();
  // All settle before a failure is reported, so afterAll stops whatever did start.
  for (const outcome of await Promise.allSettled([deployed, referencesStarted])) {
    if (outcome.status === 'rejected') throw outcome.reason;
  }
}, 900_000);

afterAll(async () => {
  nodeServer?.kill('SIGTERM');
  await new Promise((resolve) => (staticHost ? staticHost.close(resolve) : resolve(undefined)));
  await platform?.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function expectDeployed(project: string): void {
  const result = deploys[project];
  expect(result?.code, `${result?.stdout}\n${result?.stderr}\n${platform?.output()}`).toBe(0);
}

describe('fidelity with adapter-node (examples/fidelity)', () => {
  it('deploys unchanged and prints the URL with the base path', () => {
    expectDeployed('fidelity');
    expect(deploys.fidelity?.stdout).toContain(`is live at http://fidelity.localhost:${platform?.port}/base/\n`);
  });

  it('answers the request list exactly as adapter-node does', async () => {
    const slipway = slipwaySide('fidelity');
    const chunk = {
      reference: await largestScript(nodeSide, '/base/about', '/base'),
      slipway: await largestScript(slipway, '/base/about', '/base'),
    };
    const rows: Row[] = [
      { name: 'root without its slash (SvelteKit redirects)', path: '/base' },
      { name: 'server-rendered root under the base', path: '/base/' },
      { name: 'prerendered page', path: '/base/about' },
      { name: 'prerendered page, extra trailing slash', path: '/base/about/' },
      { name: 'prerendered page, extra trailing slash, query kept', path: '/base/about/?x=1&y=a%20b' },
      { name: "trailingSlash 'always' page without its slash", path: '/base/always' },
      { name: "trailingSlash 'always' page", path: '/base/always/' },
      { name: 'static directory index with slash', path: '/base/guide/' },
      { name: 'static directory index without slash', path: '/base/guide' },
      { name: 'dotted folder index', path: '/base/v3.1/' },
      { name: 'extensionless static HTML', path: '/base/terms' },
      { name: 'static HTML by its name', path: '/base/terms.html' },
      { name: 'static file', path: '/base/robots.txt' },
      { name: 'client address (getClientAddress)', path: '/base/address' },
      { name: 'client address, X-Forwarded-For from the visitor', path: '/base/address', headers: { 'x-forwarded-for': '203.0.113.9' } },
      { name: 'byte range of a static file', path: '/base/robots.txt', headers: { range: 'bytes=0-9' } },
      { name: 'version.json under the base', path: '/base/_app/version.json' },
      { name: 'largest immutable chunk, gzip or br', path: chunk, headers: { 'accept-encoding': 'gzip, br' } },
      { name: 'largest immutable chunk, gzip only', path: chunk, headers: { 'accept-encoding': 'gzip' } },
      { name: 'prerendered page, gzip or br', path: '/base/about', headers: { 'accept-encoding': 'gzip, br' } },
      { name: 'server-sent events', path: '/base/events' },
      { name: 'unknown route (SvelteKit 404 page)', path: '/base/nope' },
    ];
    const { table, differences } = await compare(rows, nodeSide, slipway);
    console.log(`examples/fidelity, adapter-node | Slipway:\n${table}`);
    expect(differences, table).toEqual([]);
  });
});

describe('fidelity with adapter-static on a static host (examples/fidelity-static)', () => {
  it('deploys unchanged', () => {
    expectDeployed('fidelity-static');
  });

  it('answers prerendered pages, files and the 200 fallback page as the static host does', async () => {
    const rows: Row[] = [
      { name: 'prerendered root', path: '/' },
      { name: 'prerendered page', path: '/about' },
      { name: 'static file', path: '/robots.txt' },
      { name: 'client-rendered route: the fallback page', path: '/todos/42' },
      { name: 'unknown route: the fallback page', path: '/no/such/page' },
      { name: 'fallback page, gzip or br', path: '/todos/7', headers: { 'accept-encoding': 'gzip, br' } },
      { name: 'missing file: 404, no fallback', path: '/missing.js', only: ['status'] },
    ];
    const { table, differences } = await compare(rows, staticSide, slipwaySide('fidelity-static'));
    console.log(`examples/fidelity-static, static host | Slipway:\n${table}`);
    expect(differences, table).toEqual([]);
  });
});
