/**
 * Builds examples/hello unchanged (it names adapter-auto) with the register hook, exactly the way the
 * build runner does, then runs the bundled handler from a directory with no node_modules.
 */
import { execFile, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { build } from 'esbuild';
import { create } from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateBundle } from '../../handlers/pipeline/bundle/validate-bundle.js';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../../', import.meta.url));
const example = join(repo, 'examples', 'hello');
const greeting = `Hello from the adapter test ${process.pid}`;

let work: string;
let compiled: string;
let out: string;
let isolated: string;

/** Compiles buildrunner/adapter/**.ts as they are now (under node_modules/.cache so `esbuild` resolves from the repo). */
async function compileAdapter(dest: string): Promise<void> {
  const source = join(repo, 'buildrunner', 'adapter');
  const entries = ['index.ts', 'register.ts', 'resolve-hook.ts', 'runtime-env-banner.ts', 'files/handler.ts', 'files/event.ts'].map(
    (file) => join(source, file),
  );
  await build({
    entryPoints: entries,
    outbase: source,
    outdir: dest,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'error',
  });
  writeFileSync(join(dest, 'package.json'), '{ "type": "module" }\n');
}

/** Invokes the bundled handler in a separate plain Node process, like the function host's worker. */
function invoke(events: APIGatewayProxyEventV2[]): Promise<APIGatewayProxyStructuredResultV2[]> {
  const script = `
    const { handler } = await import(${JSON.stringify(pathToFileURL(join(isolated, 'server', 'handler.js')).href)});
    let input = '';
    for await (const chunk of process.stdin) input += chunk;
    const results = [];
    for (const event of JSON.parse(input)) results.push(await handler(event, {}));
    process.stdout.write(JSON.stringify(results));
  `;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: isolated, env: { PATH: process.env.PATH ?? '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`handler process exited ${code}: ${stderr}`));
      else resolve(JSON.parse(stdout) as APIGatewayProxyStructuredResultV2[]);
    });
    child.stdin.end(JSON.stringify(events));
  });
}

function event(
  method: string,
  rawPath: string,
  options: { query?: string; headers?: Record<string, string>; body?: Buffer; cookies?: string[] } = {},
): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString: options.query ?? '',
    cookies: options.cookies,
    headers: { host: 'hello.localhost:8080', 'x-forwarded-proto': 'http', ...options.headers },
    body: options.body?.toString('base64'),
    isBase64Encoded: options.body !== undefined,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: 'fn.localhost',
      domainPrefix: 'fn',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'vitest' },
      requestId: 'r',
      routeKey: '$default',
      stage: '$default',
      time: '',
      timeEpoch: 0,
    },
  };
}

beforeAll(async () => {
  if (!existsSync(join(example, 'node_modules', '@sveltejs', 'kit'))) {
    await run('npm', ['ci', '--no-audit', '--no-fund'], { cwd: example });
  }
  work = mkdtempSync(join(tmpdir(), 'slipway-adapter-test-'));
  compiled = join(repo, 'node_modules', '.cache', `slipway-adapter-test-${process.pid}`);
  await compileAdapter(compiled);

  // A private copy of the app (sharing its node_modules), so parallel builds of examples/hello don't collide.
  const app = join(work, 'app');
  cpSync(example, app, {
    recursive: true,
    filter: (path) => !/[\\/](node_modules|\.svelte-kit|build|\.slipway-build)$/.test(path),
  });
  symlinkSync(join(example, 'node_modules'), join(app, 'node_modules'), 'dir');
  writeFileSync(join(app, 'src', 'lib', 'greeting.ts'), `export const GREETING = '${greeting}';\n`);

  out = join(work, 'out');
  mkdirSync(out);
  writeFileSync(join(out, 'stale.txt'), 'must be removed');
  await run('npm', ['run', 'build'], {
    cwd: app,
    env: { ...process.env, SLIPWAY_ADAPTER_OUT: out, NODE_OPTIONS: `--import ${pathToFileURL(join(compiled, 'register.js')).href}` },
    maxBuffer: 64 * 1024 * 1024,
  });

  isolated = join(work, 'isolated');
  mkdirSync(isolated);
  cpSync(join(out, 'server'), join(isolated, 'server'), { recursive: true });
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
  if (compiled) rmSync(compiled, { recursive: true, force: true });
});

describe('examples/hello built with the Slipway adapter', () => {
  it('writes the documented bundle layout and manifest', async () => {
    expect(readdirSync(out).sort()).toEqual(['client', 'prerendered', 'server', 'slipway-manifest.json']);
    const manifest = JSON.parse(readFileSync(join(out, 'slipway-manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({
      version: 1,
      appDir: '_app',
      basePath: '',
      handler: 'server/handler.js',
      prerendered: { '/about': 'prerendered/about.html' },
      static: { '/robots.txt': 'client/robots.txt' },
    });
    expect(manifest.kit).toMatch(/^2\./);
    expect(manifest.prerendered['/']).toBeUndefined(); // `/` is server-rendered
    expect(Object.keys(manifest.static).filter((route) => route.startsWith('/_app/'))).toEqual([]);
    expect(readFileSync(join(out, 'prerendered', 'about.html'), 'utf8')).toContain('About Slipway');
    expect(readFileSync(join(out, 'client', 'robots.txt'), 'utf8')).toContain('User-agent: *');
    expect(readdirSync(join(out, 'client', '_app', 'immutable')).length).toBeGreaterThan(0);
  });

  it('passes the pipeline validate step', async () => {
    const tarball = join(work, 'bundle.tar.gz');
    await create({ gzip: true, cwd: out, file: tarball, portable: true }, readdirSync(out));
    const validated = await validateBundle(readFileSync(tarball));
    expect(validated.manifest.handler).toBe('server/handler.js');
  });

  it('serves SSR, endpoints, form actions and binary bodies from a directory with no node_modules', async () => {
    const binary = Buffer.from([0, 255, 1, 254, 0x80, 13, 10, 0]);
    const [home, api, login, echo, welcome, missing] = await invoke([
      event('GET', '/', { headers: { accept: 'text/html' } }),
      event('GET', '/api/hello', { query: 'name=x' }),
      event('POST', '/login', {
        headers: { origin: 'http://hello.localhost:8080', accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
        body: Buffer.from('name=Zo%C3%AB'),
      }),
      event('POST', '/api/hello', { headers: { 'content-type': 'application/octet-stream' }, body: binary }),
      event('GET', '/', { cookies: ['visitor=Ann', 'other=1'] }),
      event('GET', '/no-such-page', { headers: { accept: 'text/html' } }),
    ]);

    expect(home?.statusCode).toBe(200);
    expect(home?.headers?.['content-type']).toMatch(/^text\/html/);
    expect(home?.isBase64Encoded).toBe(false);
    expect(home?.body).toContain(`<h1>${greeting}</h1>`);
    expect(home?.body).toContain('Hello, stranger');

    expect(api?.statusCode).toBe(200);
    expect(api?.headers?.['x-hello']).toBe('1');
    expect(JSON.parse(String(api?.body))).toEqual({ message: greeting, query: 'x' });

    expect(login?.statusCode).toBe(303);
    expect(login?.headers?.location).toBe('/');
    expect(login?.headers).not.toHaveProperty('set-cookie');
    expect(login?.cookies).toHaveLength(2);
    expect(login?.cookies?.[0]).toMatch(/^visitor=Zo%C3%AB; .*HttpOnly/);
    expect(login?.cookies?.[0]).not.toMatch(/Secure/); // plain http on NAME.localhost
    expect(login?.cookies?.[1]).toMatch(/^session-started=/);

    expect(JSON.parse(String(echo?.body))).toEqual({
      length: binary.length,
      contentType: 'application/octet-stream',
      checksum: binary.reduce((sum, byte) => (sum + byte) % 65536, 0),
    });

    expect(welcome?.body).toContain('Welcome back, Ann!');
    expect(missing?.statusCode).toBe(404);
  });

  it('rejects a cross-site form post (the URL is built from the forwarded host and proto)', async () => {
    const [forged] = await invoke([
      event('POST', '/login', {
        headers: { origin: 'http://evil.example', accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
        body: Buffer.from('name=Mallory'),
      }),
    ]);
    expect(forged?.statusCode).toBe(403);
    expect(forged?.cookies).toBeUndefined();
  });
});
