import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import {
  createServer as createHttpServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../cli/api-client.js';
import { ADMIN_TOKEN_FILE, PLATFORM_FILE, type PlatformInfo } from '../../cli/connection.js';
import { ensureProject } from '../../cli/deploy.js';
import { copyExampleApp, ROOT, runCli, startPlatformProcess, type PlatformProcess } from '../support/platform-process.js';

/**
 * Fidelity (issue 11): fixture apps, each built once with its own adapter and served the way that
 * adapter's users serve it, and deployed once, unchanged, to one local platform. The same request
 * list goes to both sides; one table compares status, the media type, the headers that matter, the
 * decoded body and, for streamed responses, when the first chunk came and what it held. Any
 * difference fails.
 *
 * - `examples/fidelity` (SvelteKit 2, adapter-node, `paths.base = '/base'`): prerendered pages with
 *   both trailing-slash settings, static directory indexes and extensionless HTML, a byte range,
 *   compression, version.json under the base, server-sent events (finite and endless), a streamed
 *   `load`, form actions, cookies, redirects, error pages, a binary body, the client address.
 * - `examples/fidelity-static` (adapter-static, `fallback: '200.html'`): reference: a static host,
 *   sirv over the build with that fallback for unknown routes (`single`).
 * - `examples/fidelity-pnpm`: a pnpm workspace, the app in `apps/web` importing a `workspace:*`
 *   package; the CLI uploads the workspace root, the reference installs there with pnpm. It sets
 *   `paths.assets` (another origin in its pages; both sides still serve the files themselves).
 * - `examples/fidelity-kit3` (SvelteKit 3): variables declared with `defineEnvVars` in `src/env.js`,
 *   project variables on Slipway, the process environment for adapter-node.
 */
const COMPARED_HEADERS = [
  'location',
  'content-encoding',
  'vary',
  'content-range',
  'x-accel-buffering',
  'set-cookie',
  'cache-control',
] as const;
/** How far apart the two sides' first chunks may come (both are local; a buffered stream is 300 ms late). */
const FIRST_CHUNK_TOLERANCE_MS = 150;
/** A stream is read for this long at most (an endless one is cut by `until` well before). */
const STREAM_READ_LIMIT_MS = 10_000;

/** Where one side answers: the port, the Host header that selects the app, and the origin the app believes it serves. */
interface Side {
  port: number;
  host: string;
  origin: string;
}

interface Row {
  name: string;
  /** The path, or per side (a content-hashed file is named by that side's own page). */
  path: string | { reference: string; slipway: string };
  method?: string;
  body?: string;
  /** Request headers; a function gets the side (a form post names its own origin). */
  headers?: Record<string, string> | ((side: Side) => Record<string, string>);
  /** Only these fields count (a static host's own 404 body is not the app's). */
  only?: string[];
  /**
   * A streamed response: `late` is text that must not be in the first chunk (a promise's value,
   * a later event); `until` ends reading an endless stream (the viewer leaves), and the body
   * compared is what was read until then, cut at `until`'s length.
   */
  stream?: { late: string; until?: (text: string) => number | undefined };
  /**
   * Send first without it, then again with the validator that side answered: its ETag as
   * `If-None-Match`, or its Last-Modified as `If-Modified-Since`.
   */
  revalidate?: 'etag' | 'date';
  /**
   * A difference on purpose: these fields must differ (else the exception is stale and fails too),
   * every other field must match; `why` is printed under the table.
   */
  exception?: { fields: string[]; why: string };
}

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  firstChunk: Buffer | undefined;
  /** Milliseconds from sending the request to the first body chunk. */
  firstChunkMs: number | undefined;
}

/** One fixture app: how the reference builds and serves it, and how Slipway gets it. */
interface App {
  project: string;
  example: string;
  /** The app's folder inside the example (a workspace package), default the example itself. */
  appDir?: string;
  /** Variables: `build` for the build only, `both` also when the app runs. */
  env?: { build?: Record<string, string>; both?: Record<string, string> };
  rows: (reference: Side, slipway: Side) => Promise<Row[]>;
}

let home: string;
const dirs: string[] = [];
let platform: PlatformProcess | undefined;
const referenceServers: ChildProcess[] = [];
let staticHost: Server | undefined;
const references: Record<string, Side> = {};
const deploys: Record<string, { code: number; stdout: string; stderr: string }> = {};

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

/** The environment a user's shell gives a command (without the NODE_ENV=test vitest sets, which changes Vite's output). */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  delete env.NODE_ENV;
  return env;
}

/** Runs a command as a user would in the app directory. */
function run(command: string, args: string[], cwd: string, extra: Record<string, string> = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: userEnv(extra), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} failed (${code}):\n${output}`))));
  });
}

/**
 * SvelteKit 3 asks for Node 22 (its build calls Promise.withResolvers); on an older Node the
 * reference build gets the same polyfill Slipway's build runner installs (buildrunner/adapter/register.ts).
 */
function nodeOptionsForKit3(dir: string): Record<string, string> {
  if (typeof (Promise as { withResolvers?: unknown }).withResolvers === 'function') return {};
  const polyfill = join(dir, '.with-resolvers.mjs');
  writeFileSync(
    polyfill,
    'Promise.withResolvers ??= function () { let resolve, reject; const promise = new Promise((a, b) => { resolve = a; reject = b; }); return { promise, resolve, reject }; };\n',
  );
  return { NODE_OPTIONS: `--import=${polyfill}` };
}

/** Installs (at the workspace root, with its package manager) and builds a copy of an example; returns the app's folder. */
async function installAndBuild(app: App): Promise<string> {
  const root = tempDir(`slipway-fidelity-${app.project}-`);
  copyExampleApp(join(ROOT, 'examples', app.example), root);
  const dir = app.appDir ? join(root, app.appDir) : root;
  const env = { ...nodeOptionsForKit3(root), ...app.env?.build, ...app.env?.both };
  if (app.appDir) await run('npx', ['--yes', 'pnpm@9', 'install', '--frozen-lockfile'], root);
  else await run('npm', ['ci', '--no-audit', '--no-fund'], root);
  await run('npm', ['run', 'build'], dir, env);
  return dir;
}

/** adapter-node's own server, `node build/index.js` with the app's runtime variables, once it listens. */
async function startNodeServer(dir: string, app: App): Promise<Side> {
  const env = userEnv({ ...nodeOptionsForKit3(dir), ...app.env?.both, PORT: '0', HOST: '127.0.0.1' });
  const child = spawn(process.execPath, ['build/index.js'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  referenceServers.push(child);
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
  // Without ORIGIN or PROTOCOL_HEADER, adapter-node takes its origin to be https on the Host header.
  return { port, host: `127.0.0.1:${port}`, origin: `https://127.0.0.1:${port}` };
}

type Middleware = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

/** A static host over adapter-static's output: sirv (from the app's own dependencies) with the fallback page. */
async function startStaticHost(dir: string): Promise<Side> {
  const sirv = createRequire(join(dir, 'package.json'))('sirv') as (root: string, options: object) => Middleware;
  const serve = sirv(join(dir, 'build'), { etag: true, gzip: true, brotli: true, single: '200.html' });
  staticHost = createHttpServer((req, res) =>
    serve(req, res, () => {
      res.statusCode = 404;
      res.end('Not Found');
    }),
  );
  await new Promise<void>((resolve) => staticHost?.listen(0, '127.0.0.1', resolve));
  const port = (staticHost.address() as { port: number }).port;
  return { port, host: `127.0.0.1:${port}`, origin: `http://127.0.0.1:${port}` };
}

/** The project's variables, set through the API as `slipway env set` does, before its first deployment. */
async function setProjectVariables(app: App): Promise<void> {
  const info = JSON.parse(readFileSync(join(home, PLATFORM_FILE), 'utf8')) as PlatformInfo;
  const token = readFileSync(join(home, ADMIN_TOKEN_FILE), 'utf8').trim();
  await ensureProject(new ApiClient({ apiUrl: info.apiUrl, token, port: info.port }), app.project);
  const targets = [
    ...Object.entries(app.env?.build ?? {}).map(([k, v]) => [k, v, 'build']),
    ...Object.entries(app.env?.both ?? {}).map(([k, v]) => [k, v, 'both']),
  ];
  for (const [key, value, target] of targets as Array<[string, string, string]>) {
    const result = await runCli(home, ['env', 'set', key, value, '--target', target, '--project', app.project]);
    if (result.code !== 0) throw new Error(`env set ${key} failed:\n${result.stdout}\n${result.stderr}`);
  }
}

/**
 * Two builds of the same source need not name their content-hashed files alike, so file names
 * under `_app/immutable/` are compared without their hash; everything else in a body must match.
 */
function withoutBuildHashes(body: string): string {
  return body.replace(/((?:_app\/immutable|\.\.?)\/(?:entry|chunks|nodes|assets)\/)[\w.-]+\.(js|css)/g, '$1#.$2');
}

function decoded(reply: Reply): Buffer {
  const encoding = reply.headers['content-encoding'];
  // A HEAD names its encoding and carries no body.
  if (reply.body.length === 0) return reply.body;
  return encoding === 'br' ? brotliDecompressSync(reply.body) : encoding === 'gzip' ? gunzipSync(reply.body) : reply.body;
}

/**
 * Cache-Control as a set of directives (spacing and order differ harmlessly). Where the app's server
 * says nothing, Slipway's edge asks caches to revalidate (a new deployment changes what the same URL
 * holds; on AWS CloudFront's policies say the same): that pair counts as equal, nothing else does.
 */
function cacheDirectives(value: string | undefined): string {
  if (value === undefined) return REVALIDATE;
  return value
    .split(',')
    .map((directive) => directive.trim().toLowerCase())
    .filter(Boolean)
    .sort()
    .join(', ');
}
const REVALIDATE = 'max-age=0, must-revalidate, public';

/** Why a 304 differs from sirv's, which carries no header at all. */
const NOT_MODIFIED_HEADERS =
  "sirv's 304 carries no header; RFC 9110 §15.4.5 asks for the Cache-Control and Vary a 200 would carry, which CloudFront and the local edge send";

const TEXT_TYPES = /^(text\/|application\/(json|javascript|xml))/;

/** One side's answer, reduced to what must match. */
function summary(reply: Reply, row: Row): Record<string, string> {
  const type = reply.headers['content-type'];
  const mediaType = type ? (type.split(';')[0] ?? '').trim().toLowerCase() : '-';
  const out: Record<string, string> = {
    status: String(reply.status),
    // The media type; charset parameters differ harmlessly (sirv omits utf-8 on scripts).
    type: mediaType,
  };
  for (const name of COMPARED_HEADERS) out[name] = String(reply.headers[name] ?? '-');
  out['cache-control'] = cacheDirectives(reply.headers['cache-control']);
  const body = decoded(reply);
  // Bytes that are not text are compared by digest: a lossy UTF-8 decoding could hide a difference.
  out.body = TEXT_TYPES.test(mediaType)
    ? withoutBuildHashes(body.toString('utf8'))
    : `${body.length} bytes sha256:${createHash('sha256').update(body).digest('hex')}`;
  if (row.stream) {
    const first = reply.firstChunk?.toString('utf8') ?? '';
    out['first chunk'] = first.includes(row.stream.late) ? `already holds ${JSON.stringify(row.stream.late)}` : 'before the rest';
  }
  return out;
}

const pathOf = (row: Row, side: 'reference' | 'slipway') => (typeof row.path === 'string' ? row.path : row.path[side]);

function slipwaySide(project: string): Side {
  const port = platform?.port ?? 0;
  return { port, host: `${project}.localhost:${port}`, origin: `http://${project}.localhost:${port}` };
}

/** A row's request to a side; a revalidating row first asks for the ETag it then sends back. */
async function sendRow(side: Side, row: Row, path: string): Promise<Reply> {
  if (!row.revalidate) return send(side, row, path);
  const [answered, asked] = row.revalidate === 'etag' ? ['etag', 'if-none-match'] : ['last-modified', 'if-modified-since'];
  const validator = (await send(side, { ...row, revalidate: undefined }, path)).headers[answered];
  if (typeof validator !== 'string') throw new Error(`${row.name}: no ${answered} from ${side.host}`);
  const headers = typeof row.headers === 'function' ? row.headers(side) : row.headers;
  return send(side, { ...row, headers: { ...headers, [asked]: validator } }, path);
}

/** Sends a row's request to a side; reads the body chunk by chunk, timing the first, until it ends or `until` says enough. */
function send(side: Side, row: Row, path: string): Promise<Reply> {
  const headers = typeof row.headers === 'function' ? row.headers(side) : row.headers;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = httpRequest(
      { host: '127.0.0.1', port: side.port, path, method: row.method ?? 'GET', headers: { host: side.host, ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        let firstChunkMs: number | undefined;
        const finish = (body: Buffer) => {
          clearTimeout(limit);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, firstChunk: chunks[0], firstChunkMs });
        };
        const limit = setTimeout(() => {
          req.destroy();
          finish(Buffer.concat(chunks));
        }, STREAM_READ_LIMIT_MS);
        res.on('data', (chunk: Buffer) => {
          firstChunkMs ??= Math.round(performance.now() - started);
          chunks.push(chunk);
          const enough = row.stream?.until?.(Buffer.concat(chunks).toString('utf8'));
          if (enough !== undefined) {
            req.destroy();
            finish(Buffer.concat(chunks).subarray(0, enough));
          }
        });
        res.on('end', () => finish(Buffer.concat(chunks)));
        res.on('error', (error) => (req.destroyed ? undefined : reject(error)));
      },
    );
    req.on('error', (error) => (req.destroyed ? undefined : reject(error)));
    req.end(row.body);
  });
}

/** The largest script a side's page names (each build names its own). */
async function largestScript(side: Side, page: string, prefix: string): Promise<string> {
  const get = (path: string) => send(side, { name: path, path }, path);
  const html = (await get(page)).body.toString('utf8');
  const scripts = [...new Set([...html.matchAll(/_app\/immutable\/[\w./-]+\.js/g)].map((m) => m[0]))];
  expect(scripts.length, html).toBeGreaterThan(0);
  const sized = await Promise.all(scripts.map(async (path) => ({ path, size: (await get(`${prefix}/${path}`)).body.length })));
  return `${prefix}/${sized.sort((a, b) => b.size - a.size)[0]?.path}`;
}

/** The text up to and including the `count`th server-sent event, once that many arrived. */
const events = (count: number) => (text: string) => {
  let end = 0;
  for (let i = 0; i < count; i++) {
    const next = text.indexOf('\n\n', end);
    if (next < 0) return undefined;
    end = next + 2;
  }
  return end;
};

/**
 * A form post as a browser sends it: its Origin names the site it posts to (SvelteKit refuses a
 * cross-site one) and it accepts HTML (without Accept, SvelteKit answers an action with JSON).
 */
const formPost = (body: string, extra: Record<string, string> = {}) => ({
  method: 'POST',
  body,
  headers: (side: Side) => ({
    'content-type': 'application/x-www-form-urlencoded',
    accept: 'text/html,*/*;q=0.8',
    origin: side.origin,
    ...extra,
  }),
});

const APPS: App[] = [
  {
    project: 'fidelity',
    example: 'fidelity',
    rows: async (reference, slipway) => {
      const chunk = {
        reference: await largestScript(reference, '/base/about', '/base'),
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
        { name: 'a route named build (with src/lib/build)', path: '/base/build' },
        { name: 'a route named build, extra trailing slash', path: '/base/build/' },
        { name: 'a static file in a folder named build', path: '/base/build/notes.txt' },
        { name: 'byte range of a static file', path: '/base/robots.txt', headers: { range: 'bytes=0-9' } },
        { name: 'version.json under the base', path: '/base/_app/version.json' },
        { name: 'largest immutable chunk, gzip or br', path: chunk, headers: { 'accept-encoding': 'gzip, br' } },
        { name: 'largest immutable chunk, gzip only', path: chunk, headers: { 'accept-encoding': 'gzip' } },
        { name: 'prerendered page, gzip or br', path: '/base/about', headers: { 'accept-encoding': 'gzip, br' } },
        { name: 'server-sent events (two, then the end)', path: '/base/events' },
        { name: 'streamed load: shell first, value 300 ms later', path: '/base/slow', stream: { late: 'resolved after 300 ms' } },
        { name: 'endless server-sent events, first three', path: '/base/ticks', stream: { late: 'data: 2', until: events(3) } },
        { name: 'form page', path: '/base/form' },
        { name: 'form action: result page and its cookie', path: '/base/form', ...formPost('name=Ada') },
        { name: 'form action failing: 400 page', path: '/base/form', ...formPost('name=') },
        {
          name: 'form action from use:enhance (JSON)',
          path: '/base/form',
          ...formPost('name=Bo', { accept: 'application/json', 'x-sveltekit-action': 'true' }),
        },
        { name: 'form post from another origin: refused', path: '/base/form', ...formPost('name=Eve', { origin: 'http://evil.example' }) },
        { name: 'cookies read, set and deleted', path: '/base/cookies', headers: { cookie: 'visits=2; stale=x; other=a%20b' } },
        { name: 'redirect from a load', path: '/base/old' },
        { name: 'redirect from a load, data request', path: '/base/old/__data.json' },
        { name: 'redirect from an endpoint, query kept', path: '/base/go?from=fidelity&n=1' },
        { name: 'expected error: its status and page', path: '/base/teapot' },
        { name: 'unexpected error: the 500 page', path: '/base/crash' },
        { name: 'static image', path: '/base/gradient.png', headers: { 'accept-encoding': 'gzip, br' } },
        { name: 'static image, byte range', path: '/base/gradient.png', headers: { range: 'bytes=8-23' } },
        { name: 'binary body', path: '/base/bytes.bin' },
        { name: 'binary body, gzip or br accepted', path: '/base/bytes.bin', headers: { 'accept-encoding': 'gzip, br' } },
        { name: 'binary body, byte range', path: '/base/bytes.bin', headers: { range: 'bytes=0-99' } },
        { name: 'HEAD of a server-rendered page', path: '/base/', method: 'HEAD' },
        { name: 'unknown route (SvelteKit 404 page)', path: '/base/nope' },
        // Outside paths.base nothing is the app's: SvelteKit (and adapter-node) answer 404.
        { name: 'immutable chunk without the base: 404', path: { reference: chunk.reference.slice(5), slipway: chunk.slipway.slice(5) } },
        { name: 'version.json without the base: 404', path: '/_app/version.json' },
        { name: 'the root without the base: 404', path: '/' },
        // Byte ranges (RFC 9110 §14), as sirv answers them where it follows the RFC.
        { name: 'byte range to the end', path: '/base/robots.txt', headers: { range: 'bytes=5-' } },
        { name: 'byte range past the end, clamped', path: '/base/robots.txt', headers: { range: 'bytes=10-999' } },
        { name: 'several byte ranges: the first alone', path: '/base/robots.txt', headers: { range: 'bytes=0-1,5-6' } },
        { name: 'unsatisfiable byte range: 416', path: '/base/robots.txt', headers: { range: 'bytes=9999-' } },
        { name: 'byte range of an immutable chunk', path: chunk, headers: { range: 'bytes=0-99' } },
        {
          name: 'suffix byte range (the last five bytes)',
          path: '/base/robots.txt',
          headers: { range: 'bytes=-5' },
          exception: {
            fields: ['content-range', 'body'],
            why: 'sirv reads bytes=-5 as 0-5 (the first six bytes); RFC 9110 §14.1.2 means the last five, which S3 behind CloudFront serves on AWS and the local edge serves likewise',
          },
        },
        {
          name: 'one-byte range',
          path: '/base/robots.txt',
          headers: { range: 'bytes=0-0' },
          exception: {
            fields: ['content-range', 'body'],
            why: 'sirv reads an end of 0 as no end and sends the whole file as 206 bytes 0-23; RFC 9110 means the first byte, as S3/CloudFront and the local edge send',
          },
        },
        // HEAD and revalidation of files: the same status and headers, no body.
        { name: 'HEAD of a static file', path: '/base/robots.txt', method: 'HEAD' },
        { name: 'HEAD of a prerendered page', path: '/base/about', method: 'HEAD' },
        { name: 'HEAD of an immutable chunk', path: chunk, method: 'HEAD' },
        {
          name: 'HEAD of an immutable chunk, gzip or br accepted',
          path: chunk,
          method: 'HEAD',
          headers: { 'accept-encoding': 'gzip, br' },
        },
        { name: 'HEAD of a prerendered page, gzip accepted', path: '/base/about', method: 'HEAD', headers: { 'accept-encoding': 'gzip' } },
        {
          name: 'POST to a static file',
          path: '/base/robots.txt',
          method: 'POST',
          body: 'x=1',
          exception: {
            fields: ['status', 'type', 'vary', 'body'],
            why: "sirv serves a file to any method; Slipway serves files to GET and HEAD only (on AWS the bucket origin answers nothing else), so a POST reaches the app's server and gets SvelteKit's 404 page",
          },
        },
        ...[
          { what: 'a static file', path: '/base/robots.txt' },
          { what: 'a prerendered page', path: '/base/about' },
          { what: 'version.json', path: '/base/_app/version.json' },
        ].map(({ what, path }) => ({
          name: `${what} revalidated with its ETag: 304`,
          path,
          revalidate: 'etag' as const,
          exception: { fields: ['vary'], why: NOT_MODIFIED_HEADERS },
        })),
        {
          name: 'an immutable chunk revalidated with its ETag: 304',
          path: chunk,
          revalidate: 'etag',
          exception: { fields: ['vary', 'cache-control'], why: NOT_MODIFIED_HEADERS },
        },
        {
          name: 'a static file revalidated with its date only',
          path: '/base/robots.txt',
          revalidate: 'date',
          exception: {
            fields: ['status', 'type', 'body'],
            why: 'sirv ignores If-Modified-Since (200 with the file); the local edge, as CloudFront on AWS, answers 304 to a date the file has not changed since (RFC 9110 §13.1.3)',
          },
        },
        // Paths as browsers and crawlers may write them.
        { name: 'percent-encoded static file name', path: '/base/rob%6Fts.txt' },
        { name: 'percent-encoded static directory', path: '/base/gu%69de/' },
        { name: 'percent-encoded slash: names no static file', path: '/base/guide%2Findex.html' },
        { name: 'static file name in another case: 404', path: '/base/ROBOTS.TXT' },
        { name: 'static file with a query', path: '/base/robots.txt?x=1&y' },
        { name: 'percent-encoded prerendered page', path: '/base/ab%6Fut' },
        { name: 'percent-encoded prerendered page, extra slash: 308 to its path', path: '/base/ab%6fut/' },
        { name: 'double slash before the base', path: '//base/about' },
        { name: 'double slash inside a path', path: '/base//about' },
        { name: 'static directory with two trailing slashes', path: '/base/guide//' },
        { name: 'static file with a trailing slash', path: '/base/robots.txt/' },
        { name: 'prerendered page, a 6000-character query', path: `/base/about?q=${'x'.repeat(6000)}` },
        { name: 'server-rendered page, a 6000-character query', path: `/base/?q=${'x'.repeat(6000)}` },
      ];
      return rows;
    },
  },
  {
    project: 'fidelity-static',
    example: 'fidelity-static',
    rows: async () => [
      { name: 'prerendered root', path: '/' },
      { name: 'prerendered page', path: '/about' },
      { name: 'static file', path: '/robots.txt' },
      { name: 'client-rendered route: the fallback page', path: '/todos/42' },
      { name: 'unknown route: the fallback page', path: '/no/such/page' },
      { name: 'fallback page, gzip or br', path: '/todos/7', headers: { 'accept-encoding': 'gzip, br' } },
      { name: 'missing file: 404, no fallback', path: '/missing.js', only: ['status'] },
    ],
  },
  {
    project: 'fidelity-pnpm',
    example: 'fidelity-pnpm',
    appDir: 'apps/web',
    // The app sets paths.assets: its pages name https://assets.example for every build asset.
    rows: async (reference, slipway) => {
      const page = (await send(slipway, { name: 'page', path: '/?name=Ada' }, '/?name=Ada')).body.toString('utf8');
      expect(page).toContain('https://assets.example/_app/immutable/');
      return [
        { name: 'page rendered with a workspace package, assets on another origin', path: '/?name=Ada' },
        { name: 'endpoint using a workspace package', path: '/api/greeting?name=Bo' },
        { name: 'version.json', path: '/_app/version.json' },
        {
          name: 'largest immutable chunk, at its own URL too',
          path: { reference: await largestScript(reference, '/?name=Ada', ''), slipway: await largestScript(slipway, '/?name=Ada', '') },
        },
        { name: 'static file, at its own URL too', path: '/robots.txt' },
        { name: 'unknown route', path: '/nope' },
      ];
    },
  },
  {
    project: 'fidelity-kit3',
    example: 'fidelity-kit3',
    env: {
      build: { BUILD_CHANNEL: 'stable' },
      both: { GREETING: 'Good morning', SITE_NAME: 'Kit three site', PAGE_SIZE: '7' },
    },
    rows: async () => [
      { name: 'Kit 3 page with private and public variables', path: '/' },
      { name: 'Kit 3 endpoint: every variable, PAGE_SIZE a number', path: '/api/env' },
      { name: 'Kit 3 public variables for the browser', path: '/_app/env.js' },
      { name: 'Kit 3 version.json', path: '/_app/version.json' },
      { name: 'Kit 3 static file', path: '/robots.txt' },
      { name: 'Kit 3 unknown route', path: '/nope' },
    ],
  },
];

/** Builds and starts an app's reference server. */
async function startReference(app: App): Promise<void> {
  const dir = await installAndBuild(app);
  references[app.project] = app.project === 'fidelity-static' ? await startStaticHost(dir) : await startNodeServer(dir, app);
}

/** Deploys an unchanged copy of an app through the CLI (the workspace root's path for a workspace package). */
async function deploy(app: App): Promise<void> {
  const root = tempDir(`slipway-fidelity-${app.project}-deploy-`);
  copyExampleApp(join(ROOT, 'examples', app.example), root);
  if (app.env) await setProjectVariables(app);
  deploys[app.project] = await runCli(home, ['deploy', app.appDir ? join(root, app.appDir) : root, '--project', app.project]);
}

let setupMs = 0;
/** When each side's builds were done (ms after the set-up started): which one the suite waits on. */
const chainMs = { deploys: 0, references: 0 };

beforeAll(async () => {
  const started = performance.now();
  home = tempDir('slipway-fidelity-home-');
  // The platform starts first (it needs the CPU for a moment); then the references build while it
  // deploys, one app after another on each side: all of that mostly waits on installs.
  platform = await startPlatformProcess(home);
  const deployed = (async () => {
    await Promise.all(APPS.map(deploy));
    chainMs.deploys = Math.round(performance.now() - started);
  })();
  const referencesStarted = (async () => {
    await Promise.all(APPS.map(startReference));
    chainMs.references = Math.round(performance.now() - started);
  })();
  // All settle before a failure is reported, so afterAll stops whatever did start.
  for (const outcome of await Promise.allSettled([deployed, referencesStarted])) {
    if (outcome.status === 'rejected') throw outcome.reason;
  }
  setupMs = Math.round(performance.now() - started);
}, 900_000);

afterAll(async () => {
  for (const child of referenceServers) child.kill('SIGTERM');
  await new Promise((resolve) => (staticHost ? staticHost.close(resolve) : resolve(undefined)));
  await platform?.stop();
  // Concurrently: one by one, removing the eight installs took 14 s of the suite's time.
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

function expectDeployed(project: string): void {
  const result = deploys[project];
  expect(result?.code, `${result?.stdout}\n${result?.stderr}\n${platform?.output()}`).toBe(0);
}

describe('fidelity: every fixture app on Slipway and on its own adapter', () => {
  it('deploys each app unchanged; the base path app prints its URL with the base', () => {
    for (const app of APPS) expectDeployed(app.project);
    expect(deploys.fidelity?.stdout).toContain(`is live at http://fidelity.localhost:${platform?.port}/base/\n`);
    expect(deploys['fidelity-pnpm']?.stdout).toContain('apps/web is a workspace package');
    expect(deploys['fidelity-pnpm']?.stdout).toContain('installing with pnpm install --frozen-lockfile');
    expect(deploys['fidelity-pnpm']?.stdout).toContain('paths.assets is https://assets.example: the pages load their build assets');
    expect(deploys['fidelity-kit3']?.stdout).toContain('project variables for the build: BUILD_CHANNEL, GREETING, PAGE_SIZE, SITE_NAME');
  });

  it('answers every row of every app as the reference does (one table)', async () => {
    const lines: string[] = [];
    const differences: string[] = [];
    const exceptions: string[] = [];
    const show = (s: Record<string, string>, reply: Reply, streamed: boolean) =>
      `${s.status} ${s.type}${COMPARED_HEADERS.filter((h) => s[h] !== '-' && !(h === 'cache-control' && s[h] === REVALIDATE))
        .map((h) => ` ${h}=${h === 'set-cookie' ? `(${s[h]?.split(',').length})` : s[h]}`)
        .join('')} ${decoded(reply).length}B${streamed ? ` first@${reply.firstChunkMs}ms` : ''}`;
    for (const app of APPS) {
      const reference = references[app.project];
      if (!reference) throw new Error(`${app.project}: no reference server`);
      const slipway = slipwaySide(app.project);
      if (app.project === 'fidelity-kit3' || app.project === 'fidelity') {
        // The first request starts a tenant's worker: a cold start is not what the timing rows measure.
        await send(slipway, { name: 'warm', path: '/' }, app.project === 'fidelity' ? '/base/' : '/');
      }
      for (const row of await app.rows(reference, slipway)) {
        const theirs = await sendRow(reference, row, pathOf(row, 'reference'));
        const ours = await sendRow(slipway, row, pathOf(row, 'slipway'));
        const [a, b] = [summary(theirs, row), summary(ours, row)];
        const excepted = row.exception?.fields ?? [];
        const fields = Object.keys(a).filter(
          (field) => (row.only ?? Object.keys(a)).includes(field) && a[field] !== b[field] && !excepted.includes(field),
        );
        const stale = excepted.filter((field) => a[field] === b[field]);
        if (row.exception) exceptions.push(`≠ ${app.project} ${row.name}: ${excepted.join(', ')}: ${row.exception.why}`);
        const late =
          row.stream &&
          (theirs.firstChunkMs === undefined ||
            ours.firstChunkMs === undefined ||
            Math.abs(theirs.firstChunkMs - ours.firstChunkMs) > FIRST_CHUNK_TOLERANCE_MS);
        lines.push(
          `${fields.length || late || stale.length ? '✗' : row.exception ? '≠' : '✓'} ${`${app.project} ${row.name}`.padEnd(70)} ${show(a, theirs, !!row.stream).padEnd(72)} | ${show(b, ours, !!row.stream)}`,
        );
        const label = `${app.project}: ${row.name} (${row.method ?? 'GET'} ${pathOf(row, 'reference')})`;
        for (const field of fields) {
          differences.push(
            `${label}: ${field}: reference ${JSON.stringify(a[field]?.slice(0, 300))}, Slipway ${JSON.stringify(b[field]?.slice(0, 300))}`,
          );
        }
        for (const field of stale)
          differences.push(
            `${label}: ${field}: the exception no longer holds, both sides answer ${JSON.stringify(a[field]?.slice(0, 300))}`,
          );
        if (late)
          differences.push(
            `${label}: first chunk at ${ours.firstChunkMs} ms, reference ${theirs.firstChunkMs} ms (tolerance ${FIRST_CHUNK_TOLERANCE_MS} ms)`,
          );
      }
    }
    const table = [...lines, '', 'Differences on purpose:', ...exceptions].join('\n');
    console.log(
      `fidelity, reference | Slipway (set-up ${setupMs} ms: deploys done at ${chainMs.deploys}, references at ${chainMs.references}):\n${table}`,
    );
    expect(lines.length).toBeGreaterThan(50);
    expect(differences, table).toEqual([]);
  });
});
