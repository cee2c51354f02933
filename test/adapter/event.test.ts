import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { eventToRequest, eventUrl, isTextContentType, responseToResult, withProxyHeaders } from '../../buildrunner/adapter/files/event.js';
import { createHandler, type KitServer, type SlipwayHandler } from '../../buildrunner/adapter/files/handler.js';

function event(overrides: Partial<APIGatewayProxyEventV2> & { method?: string } = {}): APIGatewayProxyEventV2 {
  const { method = 'GET', ...rest } = overrides;
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/',
    rawQueryString: '',
    headers: {},
    isBase64Encoded: false,
    requestContext: {
      accountId: '123',
      apiId: 'api',
      domainName: 'abc.lambda-url.eu-west-1.on.aws',
      domainPrefix: 'abc',
      http: { method, path: rest.rawPath ?? '/', protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'test' },
      requestId: 'r1',
      routeKey: '$default',
      stage: '$default',
      time: '',
      timeEpoch: 0,
    },
    ...rest,
  };
}

describe('eventToRequest', () => {
  it('builds the URL from x-forwarded-proto, host, rawPath and rawQueryString', () => {
    const request = eventToRequest(
      event({
        rawPath: '/api/hello',
        rawQueryString: 'name=x&y=%20z',
        headers: { host: 'hello.localhost:8080', 'x-forwarded-proto': 'http' },
      }),
    );
    expect(request.url).toBe('http://hello.localhost:8080/api/hello?name=x&y=%20z');
    expect(new URL(request.url).searchParams.get('y')).toBe(' z');
  });

  it('defaults to https and the request context domain name', () => {
    expect(eventUrl(event({ rawPath: '/a' }))).toBe('https://abc.lambda-url.eu-west-1.on.aws/a');
    expect(eventUrl(event({ rawPath: '/a', headers: { 'x-forwarded-proto': 'http, https', Host: 'h.example' } }))).toBe(
      'http://h.example/a',
    );
  });

  it('passes every header and joins the cookies array into one Cookie header', () => {
    const request = eventToRequest(
      event({ headers: { host: 'h', 'x-custom': 'one', accept: 'text/html' }, cookies: ['visitor=Ann', 'session-started=1'] }),
    );
    expect(request.headers.get('x-custom')).toBe('one');
    expect(request.headers.get('accept')).toBe('text/html');
    expect(request.headers.get('cookie')).toBe('visitor=Ann; session-started=1');
  });

  it('uses the method from the request context and decodes a base64 body', async () => {
    const bytes = Buffer.from([0, 1, 2, 250, 255, 13, 10]);
    const request = eventToRequest(
      event({
        method: 'POST',
        headers: { host: 'h', 'content-type': 'application/octet-stream' },
        body: bytes.toString('base64'),
        isBase64Encoded: true,
      }),
    );
    expect(request.method).toBe('POST');
    expect(Buffer.from(await request.arrayBuffer())).toEqual(bytes);
  });

  it('keeps a plain text body as UTF-8 and drops bodies on GET', async () => {
    const post = eventToRequest(event({ method: 'PUT', headers: { host: 'h' }, body: 'name=Zo%C3%AB&x=ü' }));
    expect(await post.text()).toBe('name=Zo%C3%AB&x=ü');
    const get = eventToRequest(event({ method: 'GET', headers: { host: 'h' }, body: 'ignored' }));
    expect(get.body).toBeNull();
  });
});

describe('responseToResult', () => {
  it('moves every Set-Cookie into cookies and keeps the other headers', async () => {
    const headers = new Headers({ 'content-type': 'text/html; charset=utf-8', 'x-hello': '1', location: '/' });
    headers.append('set-cookie', 'visitor=Ann; Path=/; HttpOnly');
    headers.append('set-cookie', 'session-started=2024-01-01T00%3A00%3A00Z; Path=/');
    const result = await responseToResult(new Response('<h1>hi</h1>', { status: 303, headers }));
    expect(result.statusCode).toBe(303);
    expect(result.cookies).toEqual(['visitor=Ann; Path=/; HttpOnly', 'session-started=2024-01-01T00%3A00%3A00Z; Path=/']);
    expect(result.headers).toEqual({ 'content-type': 'text/html; charset=utf-8', 'x-hello': '1', location: '/' });
    expect(result.headers).not.toHaveProperty('set-cookie');
    expect(result.body).toBe('<h1>hi</h1>');
    expect(result.isBase64Encoded).toBe(false);
  });

  it('omits cookies when there are none', async () => {
    const result = await responseToResult(new Response('{}', { headers: { 'content-type': 'application/json' } }));
    expect(result.cookies).toBeUndefined();
    expect(result.body).toBe('{}');
  });

  it('base64-encodes binary bodies so they round-trip byte for byte', async () => {
    const bytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff, 0xfe]);
    const result = await responseToResult(new Response(bytes, { headers: { 'content-type': 'image/png' } }));
    expect(result.isBase64Encoded).toBe(true);
    expect(Buffer.from(result.body!, 'base64')).toEqual(Buffer.from(bytes));
  });

  it('keeps UTF-8 text as text', async () => {
    const result = await responseToResult(new Response('héllo ✓', { headers: { 'content-type': 'application/javascript' } }));
    expect(result).toMatchObject({ body: 'héllo ✓', isBase64Encoded: false });
  });

  it('handles empty bodies', async () => {
    const result = await responseToResult(new Response(null, { status: 204 }));
    expect(result).toMatchObject({ statusCode: 204, body: '', isBase64Encoded: false });
  });
});

describe('withProxyHeaders', () => {
  it('adds x-accel-buffering: no to text/event-stream responses only, as adapter-node does', async () => {
    const events = withProxyHeaders(new Response('data: 1\n\n', { headers: { 'content-type': 'text/event-stream' } }));
    expect(events.headers.get('x-accel-buffering')).toBe('no');
    expect(await events.text()).toBe('data: 1\n\n');
    expect(withProxyHeaders(new Response('<p>', { headers: { 'content-type': 'text/html' } })).headers.get('x-accel-buffering')).toBeNull();
    // adapter-node compares the whole header: a charset parameter does not count.
    const charset = withProxyHeaders(new Response('', { headers: { 'content-type': 'text/event-stream; charset=utf-8' } }));
    expect(charset.headers.get('x-accel-buffering')).toBeNull();
  });

  it('copies a response whose headers are immutable (a fetched response passed through)', async () => {
    class ImmutableHeaders extends Headers {
      override set(): void {
        throw new TypeError('immutable');
      }
    }
    const passed = new Response('data: x\n\n', { status: 200, headers: { 'content-type': 'text/event-stream' } });
    Object.defineProperty(passed, 'headers', { value: new ImmutableHeaders(passed.headers) });
    const copied = withProxyHeaders(passed);
    expect(copied).not.toBe(passed);
    expect(copied.headers.get('x-accel-buffering')).toBe('no');
    expect(copied.headers.get('content-type')).toBe('text/event-stream');
    expect(await copied.text()).toBe('data: x\n\n');
  });
});

describe('isTextContentType', () => {
  it.each([
    ['text/html; charset=utf-8', true],
    ['text/plain', true],
    ['application/json', true],
    ['application/ld+json', true],
    ['application/javascript', true],
    ['text/javascript', true],
    ['application/xml', true],
    ['image/svg+xml', true],
    ['application/x-www-form-urlencoded', true],
    ['text/plain; charset=iso-8859-1', false],
    ['image/png', false],
    ['application/octet-stream', false],
    ['font/woff2', false],
    [null, false],
  ])('%s → %s', (type, expected) => {
    expect(isTextContentType(type)).toBe(expected);
  });
});

describe('createHandler', () => {
  it('initialises the server once and passes client address and platform', async () => {
    const calls = { init: 0, constructed: 0 };
    const seen: Array<{ url: string; address: string; platform: unknown; env: Record<string, string> | undefined }> = [];
    let env: Record<string, string> | undefined;
    class FakeServer implements KitServer {
      constructor(readonly manifest: { id: string }) {
        calls.constructed++;
      }
      async init(options: { env: Record<string, string> }): Promise<void> {
        calls.init++;
        env = options.env;
      }
      async respond(request: Request, options: { getClientAddress(): string; platform?: unknown }): Promise<Response> {
        seen.push({ url: request.url, address: options.getClientAddress(), platform: options.platform, env });
        const headers = new Headers({ 'content-type': 'text/plain' });
        headers.append('set-cookie', 'a=1');
        headers.append('set-cookie', 'b=2');
        return new Response(`manifest ${this.manifest.id}`, { status: 201, headers });
      }
    }
    process.env.SLIPWAY_TEST_VAR = 'yes';
    // Plain Node has no `awslambda` global: the handler is the buffered one.
    const handler = createHandler(FakeServer, { id: 'm1' }) as SlipwayHandler;
    // Begun before any request, as adapter-node initialises before it listens (Lambda's init phase).
    expect(calls.init).toBe(1);
    const ev = event({ rawPath: '/x', headers: { host: 'p.localhost' } });
    const first = await handler(ev);
    await handler(ev);
    expect(calls).toEqual({ init: 1, constructed: 1 });
    expect(first).toMatchObject({ statusCode: 201, body: 'manifest m1', cookies: ['a=1', 'b=2'] });
    expect(seen[0]).toMatchObject({ url: 'https://p.localhost/x', address: '203.0.113.7' });
    expect(seen[0]?.env?.SLIPWAY_TEST_VAR).toBe('yes');
    expect((seen[0]?.platform as { event: unknown } | undefined)?.event).toBe(ev);
  });

  it('retries initialisation after a failure', async () => {
    let attempts = 0;
    class Flaky implements KitServer {
      async init(): Promise<void> {
        if (++attempts === 1) throw new Error('boom');
      }
      async respond(): Promise<Response> {
        return new Response('ok', { headers: { 'content-type': 'text/plain' } });
      }
    }
    const handler = createHandler(Flaky, {}) as SlipwayHandler;
    await expect(handler(event({ headers: { host: 'h' } }))).rejects.toThrow('boom');
    await expect(handler(event({ headers: { host: 'h' } }))).resolves.toMatchObject({ statusCode: 200, body: 'ok' });
  });
});
