import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { startBareS3, type BareS3 } from '../../support/bare-s3.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Readable } from 'node:stream';
import {
  isComplete,
  isStreamed,
  type CompleteResult,
  type FunctionResponse,
  type StreamedResult,
} from '../../../handlers/lib/function-response.js';
import { processTree } from '../../../bench/lib/process-tree.js';
import { createFunctionHost, type FunctionHost, type FunctionHostOptions } from '../../../infra/local/function-host/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const fixtureServer = join(here, 'fixtures', 'server');
const BUCKET = 'slipway-projects';

function event(
  path: string,
  extra: { headers?: Record<string, string>; cookies?: string[]; query?: string; requestId?: string } = {},
): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: extra.query ?? '',
    headers: { host: 'app.localhost:8080', ...extra.headers },
    ...(extra.cookies ? { cookies: extra.cookies } : {}),
    requestContext: {
      accountId: 'anonymous',
      apiId: 'local',
      domainName: 'app.localhost',
      domainPrefix: 'app',
      http: { method: 'GET', path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
      requestId: extra.requestId ?? 'r-1',
      routeKey: '$default',
      stage: '$default',
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
    },
    isBase64Encoded: false,
  };
}

/** Whether the worker whose fixture instance id this is still runs (found by its process title). */
function isAlive(instance: string): boolean {
  return spawnSync('pgrep', ['-f', `fixture-worker-${instance}`]).status === 0;
}

async function waitFor(check: () => boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('local function host', () => {
  let bare: BareS3;
  let s3: S3Client;
  let root: string;
  let stateDir: string;
  const hosts: FunctionHost[] = [];
  const logs: string[] = [];
  const probe = `probe-${Math.random().toString(36).slice(2)}`;

  async function upload(project: string, deploymentId: string, version: string): Promise<void> {
    const prefix = `${project}/deployments/${deploymentId}/server/`;
    const files: Array<[string, string]> = [
      ['handler.js', await readFile(join(fixtureServer, 'handler.js'), 'utf8')],
      ['chunks/greeting.js', await readFile(join(fixtureServer, 'chunks', 'greeting.js'), 'utf8')],
      ['chunks/version.js', `export const VERSION = ${JSON.stringify(version)};\n`],
    ];
    for (const [file, body] of files) {
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${prefix}${file}`, Body: body, ContentType: 'text/javascript' }));
    }
    // Assets of other kinds beside the server bundle are not copied.
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${project}/deployments/${deploymentId}/client/app.css`, Body: 'body{}' }));
  }

  /**
   * A failure answers the visitor a plain page with the request id and nothing of the error; what
   * failed (`details`) is in the function's log under that request id.
   */
  function expectGatewayPage(response: FunctionResponse, status: 502 | 504, requestId: string, fn: string, details: string): void {
    if (isStreamed(response) || isComplete(response)) throw new Error(`expected a ${status} page, got a streamed response`);
    const result: APIGatewayProxyStructuredResultV2 = response;
    expect(result.statusCode).toBe(status);
    expect(result.headers).toMatchObject({ 'content-type': 'text/plain; charset=utf-8', 'x-slipway-request-id': requestId });
    expect(result.body).toBe(
      `${status} ${status === 502 ? 'Bad Gateway — the application failed to answer' : 'Gateway Timeout — the application did not answer in time'} (request id ${requestId})\n`,
    );
    const line = logs.find((entry) => entry.startsWith(`${fn}: function host: request ${requestId} answered ${status}`));
    expect(line, `no log line for request ${requestId} in ${JSON.stringify(logs)}`).toBeDefined();
    expect(line).toContain(details);
  }

  function host(extra: Partial<FunctionHostOptions> = {}): FunctionHost {
    const created = createFunctionHost({
      stateDir,
      projectBucket: BUCKET,
      s3,
      onLog: (project, deploymentId, line) => logs.push(`${project}/${deploymentId}: ${line}`),
      ...extra,
    });
    hosts.push(created);
    return created;
  }

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'slipway-fn-host-'));
    stateDir = join(root, 'state');
    bare = await startBareS3(root, [BUCKET]);
    s3 = bare.s3;
    await upload('app', 'd-one', 'one');
    await upload('app', 'd-two', 'two');
    await upload('other', 'd-three', 'three');
    await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'streamer/deployments/d-stream/server/handler.js',
        Body: await readFile(join(here, 'fixtures', 'streaming-server', 'handler.js'), 'utf8'),
      }),
    );
    process.env.SLIPWAY_FN_HOST_PROBE = probe;
  });

  afterAll(async () => {
    delete process.env.SLIPWAY_FN_HOST_PROBE;
    await Promise.all(hosts.map((h) => h.close()));
    await bare.close();
    await rm(root, { recursive: true, force: true });
  });

  it('routes each invocation to its own deployment version', async () => {
    const h = host();
    const [one, two, three] = await Promise.all([
      h.invoke('app', 'd-one', event('/')),
      h.invoke('app', 'd-two', event('/')),
      h.invoke('other', 'd-three', event('/x')),
    ]);
    expect(one).toMatchObject({ statusCode: 200, body: 'hello from one at /' });
    expect(two).toMatchObject({ statusCode: 200, body: 'hello from two at /' });
    expect(three).toMatchObject({ statusCode: 200, body: 'hello from three at /x' });
    // One worker per project version, reused across calls.
    const info1 = JSON.parse((await h.invoke('app', 'd-one', event('/info'))).body as string) as {
      pid: string;
      cwd: string;
      functionName: string;
      remaining: number;
    };
    const info1again = JSON.parse((await h.invoke('app', 'd-one', event('/info'))).body as string) as { pid: string };
    const info2 = JSON.parse((await h.invoke('app', 'd-two', event('/info'))).body as string) as { pid: string };
    expect(info1again.pid).toBe(info1.pid);
    expect(info2.pid).not.toBe(info1.pid);
    // Every worker sees its own deployment's folder at one path (a spare is started before it knows which).
    expect(info1.cwd).toBe(join(stateDir, 'functions', '.task'));
    expect(info1.functionName).toBe('slipway-app');
    expect(info1.remaining).toBeGreaterThan(0);
    // Only the server files were copied, with the chunk the handler imports.
    expect(existsSync(join(stateDir, 'functions', 'app', 'd-one', 'server', 'chunks', 'greeting.js'))).toBe(true);
    expect(existsSync(join(stateDir, 'functions', 'app', 'd-one', 'client'))).toBe(false);
  });

  it('gives the worker a clean environment', async () => {
    const h = host({ environment: (project) => ({ PUBLIC_GREETING: `hi ${project}` }) });
    const result = await h.invoke('app', 'd-one', event('/env'));
    const env = JSON.parse(result.body as string) as Record<string, string>;
    expect(env.SLIPWAY_FN_HOST_PROBE).toBeUndefined();
    expect(JSON.stringify(env)).not.toContain(probe);
    expect(env.NODE_ENV).toBe('production');
    expect(env.PUBLIC_GREETING).toBe('hi app');
    expect(env.PATH).toBeTruthy();
    expect(env.AWS_ACCESS_KEY_ID).toBeUndefined();
  });

  it("starts each deployment's worker with that deployment's runtime variables, the platform's own values winning", async () => {
    const asked: string[] = [];
    const h = host({
      environment: async (project, deploymentId) => {
        asked.push(`${project}/${deploymentId}`);
        return {
          API_URL: `https://api.example.com/${deploymentId}`,
          SESSION_SECRET: 's3cr3t-value',
          NODE_ENV: 'development',
          PATH: '/nowhere',
        };
      },
    });
    const one = JSON.parse((await h.invoke('app', 'd-one', event('/env'))).body as string) as Record<string, string>;
    const two = JSON.parse((await h.invoke('app', 'd-two', event('/env'))).body as string) as Record<string, string>;
    expect(one.API_URL).toBe('https://api.example.com/d-one');
    expect(two.API_URL).toBe('https://api.example.com/d-two');
    expect(one.SESSION_SECRET).toBe('s3cr3t-value');
    expect(one.NODE_ENV).toBe('production');
    expect(one.PATH).not.toBe('/nowhere');
    // Read once per deployment, not per request.
    await h.invoke('app', 'd-one', event('/env'));
    expect(asked).toEqual(['app/d-one', 'app/d-two']);
  });

  it('passes headers, cookies and the query through, both ways', async () => {
    const h = host();
    const result = await h.invoke('app', 'd-two', event('/echo', { headers: { 'x-probe': 'yes' }, cookies: ['a=1', 'b=2'], query: 'q=1' }));
    expect(result.statusCode).toBe(201);
    expect(result.headers).toMatchObject({ 'x-echo': 'yes', 'content-type': 'application/json' });
    expect(result.cookies).toEqual(['session=abc; Path=/; HttpOnly', 'theme=dark']);
    expect(JSON.parse(result.body as string)).toEqual({ cookies: ['a=1', 'b=2'], host: 'app.localhost:8080', query: 'q=1', method: 'GET' });
  });

  it('turns a non-structured return value into a 200 JSON body, as Lambda does', async () => {
    const h = host();
    const result = await h.invoke('app', 'd-one', event('/plain'));
    expect(result).toMatchObject({ statusCode: 200, body: '{"hello":"world"}' });
  });

  it('answers a throwing handler with a plain 502 page (the error in the log only) and keeps working', async () => {
    const h = host();
    const before = JSON.parse((await h.invoke('app', 'd-one', event('/info'))).body as string) as { pid: string };
    const failed = await h.invoke('app', 'd-one', event('/throw', { requestId: 'req-throw' }));
    expectGatewayPage(failed, 502, 'req-throw', 'app/d-one', 'FunctionError: TypeError: kaboom');
    const after = JSON.parse((await h.invoke('app', 'd-one', event('/info'))).body as string) as { pid: string };
    expect(after.pid).toBe(before.pid);
  });

  it('answers pending calls of a crashed worker with 502 and forks a fresh one', async () => {
    const h = host();
    const before = JSON.parse((await h.invoke('app', 'd-one', event('/info'))).body as string) as { pid: string };
    const crashed = await h.invoke('app', 'd-one', event('/crash', { requestId: 'req-crash' }));
    expectGatewayPage(crashed, 502, 'req-crash', 'app/d-one', 'FunctionCrashed: the function worker exited (code 7)');
    const after = await h.invoke('app', 'd-one', event('/info'));
    expect(after.statusCode).toBe(200);
    expect((JSON.parse(after.body as string) as { pid: string }).pid).not.toBe(before.pid);
  });

  it('kills a hanging invocation after timeoutMs with a 504', async () => {
    const h = host({ timeoutMs: 400 });
    const first = JSON.parse((await h.invoke('app', 'd-two', event('/info'))).body as string) as { pid: string };
    const started = Date.now();
    const result = await h.invoke('app', 'd-two', event('/hang', { requestId: 'req-hang' }));
    expect(Date.now() - started).toBeLessThan(3000);
    expectGatewayPage(result, 504, 'req-hang', 'app/d-two', 'FunctionTimeout: the function did not answer within 400 ms');
    await waitFor(() => !isAlive(first.pid));
    const next = await h.invoke('app', 'd-two', event('/'));
    expect(next).toMatchObject({ statusCode: 200, body: 'hello from two at /' });
  });

  it('applies a project timeout set by configure (the stack parameter FunctionTimeout), over the host default', async () => {
    const h = host({ timeoutMs: 60_000 });
    // What the local CloudFormation binding does with the subscription's functionTimeoutSeconds.
    h.configure('app', { timeoutMs: 300 });
    const started = Date.now();
    const result = await h.invoke('app', 'd-two', event('/hang', { requestId: 'req-hang-configured' }));
    expect(Date.now() - started).toBeLessThan(5000);
    expectGatewayPage(result, 504, 'req-hang-configured', 'app/d-two', 'within 300 ms');
  });

  it('answers with a 502 when the handler module fails to load, and tries again on the next call', async () => {
    const h = host();
    await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'broken/deployments/d-bad/server/handler.js',
        Body: "throw new Error('cannot start');\n",
      }),
    );
    for (let attempt = 0; attempt < 2; attempt++) {
      const result = await h.invoke('broken', 'd-bad', event('/', { requestId: `req-init-${attempt}` }));
      expectGatewayPage(result, 502, `req-init-${attempt}`, 'broken/d-bad', 'FunctionInitError: Error: cannot start');
    }
    expect(await h.invoke('app', 'd-one', event('/'))).toMatchObject({ statusCode: 200 });
  });

  it('warm imports the handler before the first request, which the warmed worker then serves', async () => {
    const h = host();
    await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'warmed/deployments/d-warm/server/handler.js',
        Body: 'const importedAt = Date.now();\nexport const handler = async () => ({ statusCode: 200, body: String(importedAt) });\n',
      }),
    );
    await h.warm('warmed', 'd-warm');
    const warmedAt = Date.now();
    const first = await h.invoke('warmed', 'd-warm', event('/'));
    expect(first).toMatchObject({ statusCode: 200 });
    expect(Number((first as APIGatewayProxyStructuredResultV2).body)).toBeLessThanOrEqual(warmedAt);
  });

  it('warm resolves for a handler that fails to load, leaving the failure for the first request to report', async () => {
    const h = host();
    await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'broken/deployments/d-warm-bad/server/handler.js',
        Body: "throw new Error('cannot start');\n",
      }),
    );
    await h.warm('broken', 'd-warm-bad');
    const result = await h.invoke('broken', 'd-warm-bad', event('/', { requestId: 'req-warm-bad' }));
    expectGatewayPage(result, 502, 'req-warm-bad', 'broken/d-warm-bad', 'FunctionInitError: Error: cannot start');
  });

  it('stops idle workers and forks again on the next call', async () => {
    const h = host({ idleMs: 200 });
    const first = JSON.parse((await h.invoke('other', 'd-three', event('/info'))).body as string) as { pid: string };
    await waitFor(() => !isAlive(first.pid));
    const second = JSON.parse((await h.invoke('other', 'd-three', event('/info'))).body as string) as { pid: string };
    expect(second.pid).not.toBe(first.pid);
  });

  it("holds a version's runtime variables while its worker runs, not after it stopped", async () => {
    let reads = 0;
    const h = host({
      idleMs: 300,
      environment: () => {
        reads += 1;
        return { PUBLIC_GREETING: `read ${reads}` };
      },
    });
    const first = JSON.parse((await h.invoke('other', 'd-three', event('/info'))).body as string) as { pid: string };
    await h.invoke('other', 'd-three', event('/info'));
    await h.invoke('other', 'd-three', event('/info'));
    // Every request asks for them: while the worker runs they are read once.
    expect(reads).toBe(1);
    await waitFor(() => !isAlive(first.pid));
    await h.invoke('other', 'd-three', event('/info'));
    expect(reads).toBe(2);
  });

  it('forwards what the function prints to onLog', async () => {
    const h = host();
    await h.invoke('app', 'd-one', event('/log'));
    await waitFor(() => logs.includes('app/d-one: a line from the tenant'));
  });

  it('prepares once under concurrent calls and rejects a deployment without a server bundle', async () => {
    const h = host();
    await upload('fresh', 'd-four', 'four');
    await Promise.all([h.prepare('fresh', 'd-four'), h.prepare('fresh', 'd-four'), h.prepare('fresh', 'd-four')]);
    expect(existsSync(join(stateDir, 'functions', 'fresh', 'd-four', 'server', 'handler.js'))).toBe(true);
    await h.prepare('fresh', 'd-four');
    const missing = (await h.invoke('fresh', 'd-missing', event('/')).catch((e: unknown) => e)) as Error;
    expect(missing.name).toBe('ResourceNotFoundException');
    const bad = (await h.prepare('../etc', 'd-1').catch((e: unknown) => e)) as Error;
    expect(bad.name).toBe('InvalidParameterValueException');
  });

  it('remove stops the project workers and deletes its local copies', async () => {
    const h = host();
    const info = JSON.parse((await h.invoke('fresh', 'd-four', event('/info'))).body as string) as { pid: string };
    expect(existsSync(join(stateDir, 'functions', 'fresh'))).toBe(true);
    await h.remove('fresh');
    expect(isAlive(info.pid)).toBe(false);
    expect(existsSync(join(stateDir, 'functions', 'fresh'))).toBe(false);
    expect(existsSync(join(stateDir, 'functions', 'app', 'd-one'))).toBe(true);
    // It can still be fetched again afterwards.
    expect(await h.invoke('fresh', 'd-four', event('/'))).toMatchObject({ statusCode: 200, body: 'hello from four at /' });
  });

  describe('spare workers (started ahead, with no deployment yet)', () => {
    /** The host pids of this test process's unassigned spares: their Node runs the worker and names no function yet. */
    const spares = (): number[] =>
      processTree(process.pid)
        .filter((p) => /^\S*node .*function-host\/worker\.ts$/.test(p.command))
        .map((p) => p.pid);
    /** The host pid of the worker whose fixture instance id this is (the fixture names its process after it). */
    const hostPid = (instance: string): number | undefined =>
      processTree(process.pid).find((p) => p.command === `fixture-worker-${instance}`)?.pid;
    const info = async (h: FunctionHost, project: string, deploymentId: string) =>
      JSON.parse((await h.invoke(project, deploymentId, event('/info'))).body as string) as { pid: string; cwd: string };

    it("a spare serves a deployment's first request with that deployment's files and variables, and no other deployment after", async () => {
      const h = host({
        spareWorkers: 1,
        environment: (_project, deploymentId) => ({ API_URL: `https://api.example.com/${deploymentId}`, NODE_ENV: 'development' }),
      });
      await waitFor(() => spares().length === 1, 15_000);
      const [spare] = spares();
      const one = await info(h, 'app', 'd-one');
      // The process that answered is the spare that ran before the request, not a worker started for it.
      expect(hostPid(one.pid)).toBe(spare);
      expect(one.cwd).toBe(join(stateDir, 'functions', '.task'));
      expect(await h.invoke('app', 'd-one', event('/'))).toMatchObject({ statusCode: 200, body: 'hello from one at /' });
      const env = JSON.parse((await h.invoke('app', 'd-one', event('/env'))).body as string) as Record<string, string>;
      expect(env.API_URL).toBe('https://api.example.com/d-one');
      expect(env.NODE_ENV).toBe('production');
      expect(env.SLIPWAY_FN_HOST_PROBE).toBeUndefined();

      // Another spare is started once the first has answered; the next deployment gets that one, never the first's process.
      await waitFor(() => spares().length === 1, 15_000);
      const [next] = spares();
      expect(next).not.toBe(spare);
      const two = await info(h, 'app', 'd-two');
      expect(hostPid(two.pid)).toBe(next);
      expect(await h.invoke('app', 'd-two', event('/'))).toMatchObject({ statusCode: 200, body: 'hello from two at /' });
      expect(await h.invoke('app', 'd-one', event('/'))).toMatchObject({ statusCode: 200, body: 'hello from one at /' });
      await h.close();
      expect(spares()).toEqual([]);
    });

    it("a project whose memory differs from the spares' gets a worker with its own caps, and the spares follow its memory", async () => {
      const h = host({ spareWorkers: 1 });
      h.configure('other', { memoryMb: 256 });
      h.configure('app', { memoryMb: 256 });
      await waitFor(() => spares().length === 1, 15_000);
      const [spare] = spares();
      expect(processTree(process.pid).find((p) => p.pid === spare)?.command).toContain('--max-old-space-size=512');
      const three = await info(h, 'other', 'd-three');
      expect(hostPid(three.pid)).toBeDefined();
      expect(hostPid(three.pid)).not.toBe(spare);

      // Once it has answered, the 512 MiB spare makes way for one of 256 MiB, which the next project of 256 MiB gets.
      await waitFor(() => spares().length === 1 && spares()[0] !== spare, 15_000);
      const [next] = spares();
      expect(processTree(process.pid).find((p) => p.pid === next)?.command).toContain('--max-old-space-size=256');
      const one = await info(h, 'app', 'd-one');
      expect(hostPid(one.pid)).toBe(next);
      await h.close();
    });
  });

  describe('a streaming handler (awslambda.streamifyResponse)', () => {
    function streamed(response: FunctionResponse): StreamedResult {
      if (!isStreamed(response)) throw new Error(`expected a streamed response, got ${JSON.stringify(response)}; log: ${logs.join('\n')}`);
      return response;
    }
    async function text(body: Readable): Promise<string> {
      let out = '';
      for await (const chunk of body) out += Buffer.from(chunk as Uint8Array).toString('utf8');
      return out;
    }
    /** A response the handler wrote head, body and end of at once arrives complete, not as a stream. */
    function complete(response: FunctionResponse): CompleteResult {
      if (!isComplete(response)) throw new Error(`expected a complete response, got ${JSON.stringify(response)}; log: ${logs.join('\n')}`);
      return response;
    }
    async function info(h: FunctionHost): Promise<{ instance: string; cancelled: number; written: number }> {
      return JSON.parse(Buffer.from(complete(await h.invoke('streamer', 'd-stream', event('/info'))).body).toString('utf8')) as {
        instance: string;
        cancelled: number;
        written: number;
      };
    }

    it('answers a response written all at once (head, body, end) complete, in one piece', async () => {
      const h = host();
      const response = complete(await h.invoke('streamer', 'd-stream', event('/info')));
      expect(response.statusCode).toBe(200);
      expect(response.headers).toEqual({ 'content-type': 'application/json' });
      expect(JSON.parse(Buffer.from(response.body).toString('utf8'))).toMatchObject({ instance: expect.any(String) });
    });

    it('answers with the prelude head as soon as it is written, then each chunk as it comes', async () => {
      const h = host();
      await info(h); // started and warm
      const started = Date.now();
      const response = streamed(await h.invoke('streamer', 'd-stream', event('/slow')));
      expect(Date.now() - started).toBeLessThan(350);
      expect(response.statusCode).toBe(201);
      expect(response.headers).toMatchObject({ 'content-type': 'text/plain' });
      expect(response.cookies).toEqual(['a=1; Path=/']);
      const chunks: Array<{ text: string; at: number }> = [];
      for await (const chunk of response.body) chunks.push({ text: Buffer.from(chunk as Uint8Array).toString(), at: Date.now() - started });
      expect(chunks.map((chunk) => chunk.text).join('')).toBe('first\nsecond\n');
      expect(chunks[0]?.text).toBe('first\n');
      expect(chunks[0]?.at).toBeLessThan(350);
      expect(chunks.at(-1)?.at).toBeGreaterThanOrEqual(390);
    });

    it('ends an endless stream at the time limit, and the worker serves on', async () => {
      const h = host();
      h.configure('streamer', { timeoutMs: 800 });
      const before = await info(h);
      const started = Date.now();
      const events = await text(streamed(await h.invoke('streamer', 'd-stream', event('/events', { requestId: 'req-sse' }))).body);
      const elapsed = Date.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(750);
      expect(elapsed).toBeLessThan(2000);
      expect(events).toMatch(/^data: 0\n\ndata: 1\n\n/);
      expect(events.endsWith('\n\n')).toBe(true);
      const after = await info(h);
      expect(after.instance).toBe(before.instance);
      expect(after.cancelled).toBe(before.cancelled + 1);
      expect(logs.some((line) => line.includes('request req-sse stream stopped (504): FunctionTimeout'))).toBe(true);
    });

    it('tells the handler when the viewer leaves', async () => {
      const h = host();
      const before = await info(h);
      const response = streamed(await h.invoke('streamer', 'd-stream', event('/events')));
      for await (const chunk of response.body) {
        expect(Buffer.from(chunk as Uint8Array).toString()).toBe('data: 0\n\n');
        break; // leaving the loop destroys the body
      }
      let after = await info(h);
      for (let attempt = 0; attempt < 40 && after.cancelled === before.cancelled; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        after = await info(h);
      }
      expect(after.cancelled).toBe(before.cancelled + 1);
      expect(after.instance).toBe(before.instance);
    });

    it('carries a 5 MB binary body byte for byte', async () => {
      const h = host();
      const response = streamed(await h.invoke('streamer', 'd-stream', event('/binary')));
      const parts: Buffer[] = [];
      for await (const chunk of response.body) parts.push(Buffer.from(chunk as Uint8Array));
      const body = Buffer.concat(parts);
      expect(body.length).toBe(5 * 1024 * 1024);
      expect(body.every((byte, index) => byte === index % 251)).toBe(true);
    });

    it('holds the function back while the reader is behind, instead of gathering its output', async () => {
      const h = host();
      await info(h);
      const response = streamed(await h.invoke('streamer', 'd-stream', event('/firehose')));
      // Nobody reads for a while: the function must be stopped well short of its 16 MB.
      await new Promise((resolve) => setTimeout(resolve, 500));
      const { written } = await info(h);
      expect(written).toBeGreaterThan(0);
      // What the worker writes before the host's pause reaches it grows with the machine's load (a
      // round trip through both event loops; up to ~6 MB seen on 2 busy cores); without the pause
      // it is all 16 MB.
      expect(written).toBeLessThan(8 * 1024 * 1024);
      expect(response.body.readableLength).toBeLessThan(8 * 1024 * 1024);
      let total = 0;
      for await (const chunk of response.body) total += (chunk as Uint8Array).length;
      expect(total).toBe(16 * 1024 * 1024);
    });

    it('answers 502 when the stream ends before its prelude does', async () => {
      const h = host();
      const response = await h.invoke('streamer', 'd-stream', event('/no-head', { requestId: 'req-no-head' }));
      expectGatewayPage(
        response,
        502,
        'req-no-head',
        'streamer/d-stream',
        'ended its response stream before the end of the metadata prelude',
      );
    });

    it('cuts the body when the handler fails after its head', async () => {
      const h = host();
      const response = streamed(await h.invoke('streamer', 'd-stream', event('/cut', { requestId: 'req-cut' })));
      expect(response.statusCode).toBe(200);
      const failure = await text(response.body).then(
        () => undefined,
        (error: unknown) => error as Error,
      );
      expect(failure?.message).toContain('failed half-way');
      expect(logs.some((line) => line.includes('request req-cut stream stopped (502): FunctionError: Error: failed half-way'))).toBe(true);
    });
  });
});
