import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { pathToFileURL } from 'node:url';
import vm from 'node:vm';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { bundleHandler } from '../../../infra/aws/shared/handler-function.js';
import { dashboardBundle } from '../../../infra/aws/internal/dashboard-app.js';
import { packageRoot } from '../../../infra/package-root.js';
import type { BufferedApp, StreamingApp } from '../../../handlers/dashboard/lambda.js';
import { streamingDashboard } from '../../../handlers/dashboard/lambda.js';
import type { LambdaResponseStream, LambdaStreamingRuntime } from '../../../handlers/lib/lambda-response-stream.js';

/**
 * The dashboard's server function as Lambda runs it: the entry (handlers/dashboard/lambda.ts)
 * bundled the way the CDK app bundles it, with the built dashboard (dist/dashboard/server) beside
 * it, called with function URL events as CloudFront forwards them. The API it calls from load
 * functions and form actions is the global fetch, recorded here.
 */
const SECRET = 'origin-secret-for-the-dashboard-test-0123456789';
const HOST = 'slipway.example.com';
const SESSION = 'slipway_session=signed-session-value';

let outputDir: string;
let handler: BufferedApp;
const apiCalls: Request[] = [];

function functionUrlEvent(options: {
  method?: string;
  path: string;
  query?: string;
  headers?: Record<string, string>;
  cookies?: string[];
  body?: string;
}): APIGatewayProxyEventV2 {
  const method = options.method ?? 'GET';
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: options.path,
    rawQueryString: options.query ?? '',
    headers: { host: 'abcdefghij.lambda-url.us-east-1.on.aws', 'x-forwarded-proto': 'https', ...options.headers },
    ...(options.cookies ? { cookies: options.cookies } : {}),
    requestContext: {
      accountId: 'anonymous',
      apiId: 'abcdefghij',
      domainName: 'abcdefghij.lambda-url.us-east-1.on.aws',
      domainPrefix: 'abcdefghij',
      http: { method, path: options.path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.9', userAgent: 'test' },
      requestId: 'req-1',
      routeKey: '$default',
      stage: '$default',
      time: '01/Jan/2026:00:00:00 +0000',
      timeEpoch: 0,
    },
    isBase64Encoded: options.body !== undefined,
    ...(options.body !== undefined ? { body: Buffer.from(options.body).toString('base64') } : {}),
  };
}

/** What CloudFront adds: the origin secret (origin custom header) and the viewer's host (viewer-request function). */
const throughCloudFront = { 'x-slipway-origin-secret': SECRET, 'x-slipway-host': HOST };

beforeAll(async () => {
  outputDir = mkdtempSync(join(tmpdir(), 'slipway-dashboard-fn-'));
  bundleHandler('handlers/dashboard/lambda.handler', outputDir, ['tracer'], {
    directory: join(dashboardBundle().directory, 'server'),
    as: 'app',
  });
  process.env.SLIPWAY_ORIGIN_SECRET = SECRET;
  ({ handler } = (await import(pathToFileURL(join(outputDir, 'handlers/dashboard/lambda.js')).href)) as { handler: BufferedApp });
  vi.stubGlobal('fetch', async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    apiCalls.push(request.clone());
    if (request.url.endsWith('/api/v1/auth/methods')) return Response.json({ token: true, github: false });
    if (request.method === 'GET') return Response.json({ error: { code: 'Unauthorized', message: 'sign in' } }, { status: 401 });
    if (request.url.endsWith('/api/v1/auth/token'))
      return Response.json(
        { user: 'admin', via: 'session' },
        { headers: { 'set-cookie': `${SESSION}; Path=/; HttpOnly; Secure; SameSite=Lax` } },
      );
    return Response.json({ error: { code: 'NotFound', message: request.url } }, { status: 404 });
  });
}, 60_000);

afterEach(() => {
  apiCalls.length = 0;
});

afterAll(() => {
  vi.unstubAllGlobals();
  delete process.env.SLIPWAY_ORIGIN_SECRET;
  rmSync(outputDir, { recursive: true, force: true });
});

const call = (event: APIGatewayProxyEventV2) => handler(event, {} as Context) as Promise<APIGatewayProxyStructuredResultV2>;

describe('dashboard server function (bundled entry + built app)', () => {
  it('takes the origin secret out of the environment the app sees', () => {
    expect(process.env.SLIPWAY_ORIGIN_SECRET).toBeUndefined();
    process.env.SLIPWAY_ORIGIN_SECRET = SECRET;
  });

  it('refuses a request without the origin secret, or with a wrong one, before the app runs', async () => {
    for (const headers of [{ 'x-slipway-host': HOST }, { ...throughCloudFront, 'x-slipway-origin-secret': `${SECRET}x` }]) {
      const result = await call(functionUrlEvent({ path: '/', headers }));
      expect(result.statusCode).toBe(403);
      expect(JSON.parse(String(result.body))).toMatchObject({ error: { code: 'Forbidden' } });
    }
    expect(apiCalls).toHaveLength(0);
  });

  it('refuses a request with the secret but without the viewer host', async () => {
    const result = await call(functionUrlEvent({ path: '/', headers: { 'x-slipway-origin-secret': SECRET } }));
    expect(result.statusCode).toBe(403);
    expect(String(result.body)).toContain('x-slipway-host');
  });

  it("renders pages whose loads call the API at the viewer's host with the session cookie, never the function URL's", async () => {
    const result = await call(functionUrlEvent({ path: '/', cookies: [SESSION], headers: throughCloudFront }));
    // The layout's /me and the page's own loads, all to the distribution's /api/* on the viewer's host.
    expect(apiCalls.map((r) => r.url)).toContain(`https://${HOST}/api/v1/me`);
    for (const request of apiCalls) {
      expect(request.url.startsWith(`https://${HOST}/api/v1/`), request.url).toBe(true);
      expect(request.headers.get('cookie')).toBe(SESSION);
    }
    // The API answered 401: the layout sends the browser to sign in, on the viewer's host.
    expect(result.statusCode).toBe(303);
    expect(result.headers?.location).toBe('/signin?next=%2F');
  });

  it('serves the sign-in page as HTML, asking the API only which sign-in methods it offers', async () => {
    const result = await call(functionUrlEvent({ path: '/signin', headers: throughCloudFront }));
    expect(result.statusCode).toBe(200);
    expect(result.headers?.['content-type']).toMatch(/^text\/html/);
    expect(result.body).toContain('/_app/immutable/');
    expect(apiCalls.map((r) => r.url)).toEqual([`https://${HOST}/api/v1/auth/methods`]);
  });

  it('gets a form post body intact to its action, which signs in through the API and passes the cookie on', async () => {
    const token = 'tok_0123456789abcdefABCDEF';
    const result = await call(
      functionUrlEvent({
        method: 'POST',
        path: '/signin',
        query: '/token',
        body: new URLSearchParams({ token, next: '/projects' }).toString(),
        headers: {
          ...throughCloudFront,
          'content-type': 'application/x-www-form-urlencoded',
          origin: `https://${HOST}`,
          accept: 'text/html',
        },
      }),
    );
    expect(apiCalls.map((r) => `${r.method} ${r.url}`)).toEqual([`POST https://${HOST}/api/v1/auth/token`]);
    expect(await apiCalls[0]?.json()).toEqual({ token });
    expect(result.statusCode).toBe(303);
    expect(result.headers?.location).toBe('/projects');
    expect(result.cookies?.join('\n')).toContain(SESSION);
  });

  it("refuses a form post from another origin (SvelteKit's check against the viewer's host)", async () => {
    const result = await call(
      functionUrlEvent({
        method: 'POST',
        path: '/signin',
        query: '/token',
        body: 'token=tok_0123456789abcdefABCDEF',
        headers: { ...throughCloudFront, 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
      }),
    );
    expect(result.statusCode).toBe(403);
    expect(apiCalls).toHaveLength(0);
  });
});

describe('dashboard server function on a streaming runtime', () => {
  /** A stand-in for Lambda's `awslambda` global: records the prelude and the bytes written. */
  function recordingRuntime() {
    const written: { prelude?: { statusCode: number; headers: Record<string, string> }; body: Buffer[] } = { body: [] };
    const runtime: LambdaStreamingRuntime = {
      streamifyResponse: (fn) => fn,
      HttpResponseStream: {
        from(stream, prelude) {
          written.prelude = prelude;
          return stream;
        },
      },
    };
    const stream = new PassThrough() as unknown as LambdaResponseStream;
    (stream as unknown as PassThrough).on('data', (chunk: Buffer) => written.body.push(chunk));
    return { runtime, stream, written };
  }

  it('writes the refusal to the response stream and never loads the app', async () => {
    const { runtime, stream, written } = recordingRuntime();
    const loadApp = vi.fn<() => Promise<StreamingApp>>();
    await streamingDashboard(runtime, loadApp, () => SECRET)(functionUrlEvent({ path: '/' }), stream, {} as Context);
    expect(written.prelude?.statusCode).toBe(403);
    expect(Buffer.concat(written.body).toString()).toContain('origin secret');
    expect(loadApp).not.toHaveBeenCalled();
  });

  it('hands the app the checked event and the same response stream', async () => {
    const { runtime, stream } = recordingRuntime();
    const seen: APIGatewayProxyEventV2[] = [];
    const app: StreamingApp = async (event, responseStream) => {
      seen.push(event);
      expect(responseStream).toBe(stream);
    };
    await streamingDashboard(
      runtime,
      async () => app,
      () => SECRET,
    )(functionUrlEvent({ path: '/', headers: { ...throughCloudFront, 'x-forwarded-proto': 'http' } }), stream, {} as Context);
    expect(seen[0]?.headers).toMatchObject({ host: HOST, 'x-forwarded-proto': 'https' });
    expect(seen[0]?.requestContext.domainName).toBe(HOST);
    expect(Object.keys(seen[0]?.headers ?? {}).filter((name) => name.startsWith('x-slipway-'))).toEqual([]);
  });
});

describe("the dashboard distribution's viewer-request function", () => {
  const source = readFileSync(join(packageRoot(), 'handlers', 'dashboard', 'viewer-request.js'), 'utf8');
  const run = (headers: Record<string, { value: string }>) => {
    const context = vm.createContext({});
    new vm.Script(source).runInContext(context);
    const event = { request: { method: 'GET', uri: '/', headers, querystring: {}, cookies: {} } };
    return (context as { handler(e: typeof event): { headers: Record<string, { value: string }> } }).handler(event);
  };

  it("copies the viewer's Host into x-slipway-host, replacing one the viewer sent", () => {
    expect(run({ host: { value: HOST } }).headers['x-slipway-host']).toEqual({ value: HOST });
    expect(run({ host: { value: HOST }, 'x-slipway-host': { value: 'evil.example' } }).headers['x-slipway-host']).toEqual({
      value: HOST,
    });
  });
});
