import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest, type ClientRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PassThrough } from 'node:stream';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { startBareS3, type BareS3 } from '../support/bare-s3.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveKey, routeEntriesFor } from '../../handlers/lib/route-cache-keys.js';
import { createEdgeServer, type EdgeServer } from '../../infra/local/edge/server.js';
import type { FunctionResponse } from '../../handlers/lib/function-response.js';
import { createRouter } from '../../router/lambda/handler.js';
import { FileRouteCache } from '../../handlers/lib/bindings/route-cache/file.js';

const BUCKET = 'slipway-projects';
/** A page big enough to be worth compressing. */
const GUIDE = `<!doctype html><h1>Guide</h1>${'<p>Slipway serves this directory index like adapter-node does.</p>'.repeat(40)}`;
const BIG_BYTES = 10_000_001;
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff, 0xfe, 0x01]);

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

let dir: string;
let bare: BareS3 | undefined;
let edge: EdgeServer;
/** The body of the latest streamed answer, written by the test. */
let streamBody: PassThrough | undefined;
const invocations: Array<{ project: string; deploymentId: string; event: APIGatewayProxyEventV2 }> = [];

function call(host: string, path: string, init: { method?: string; headers?: Record<string, string>; body?: Buffer } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port: edge.port, path, method: init.method ?? 'GET', headers: { host, ...init.headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'slipway-edge-'));
  bare = await startBareS3(dir, [BUCKET]);
  const s3 = bare.s3;
  const prefix = 'hello/deployments/d-1/';
  const objects: Array<[string, string | Buffer, string | undefined]> = [
    ['client/_app/immutable/entry.js', 'console.log("entry")', 'text/javascript; charset=utf-8'],
    ['client/robots.txt', 'User-agent: *', 'text/plain; charset=utf-8'],
    ['client/favicon.png', PNG, undefined],
    ['prerendered/about.html', '<h1>About</h1>', 'text/html; charset=utf-8'],
    ['client/guide/index.html', GUIDE, 'text/html; charset=utf-8'],
    ['client/big.txt', Buffer.alloc(BIG_BYTES, 'a'), 'text/plain; charset=utf-8'],
  ];
  for (const [key, body, type] of objects) {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: prefix + key, Body: body, ContentType: type }));
  }

  const cache = new FileRouteCache(join(dir, 'routes'));
  await cache.putMany({
    [liveKey('hello')]: 'd-1',
    ...routeEntriesFor('d-1', {
      prerendered: { '/about': 'prerendered/about.html' },
      static: {
        '/robots.txt': 'client/robots.txt',
        '/favicon.png': 'client/favicon.png',
        '/guide/index.html': 'client/guide/index.html',
        '/big.txt': 'client/big.txt',
      },
    }),
  });

  const invoke = async (project: string, deploymentId: string, event: APIGatewayProxyEventV2): Promise<FunctionResponse> => {
    invocations.push({ project, deploymentId, event });
    if (event.rawPath === '/stream') {
      streamBody = new PassThrough();
      return { statusCode: 200, headers: { 'content-type': 'text/event-stream' }, cookies: ['s=1; Path=/'], body: streamBody };
    }
    return {
      statusCode: 201,
      headers: { 'content-type': 'application/octet-stream', 'x-tenant': project },
      cookies: ['a=1; Path=/', 'b=2; Path=/; HttpOnly'],
      body: event.body ?? Buffer.from('empty').toString('base64'),
      isBase64Encoded: true,
    };
  };

  edge = await createEdgeServer({
    port: 0,
    platform: (request) => new Response(`platform ${request.method} ${new URL(request.url).pathname}`, { headers: { 'x-platform': '1' } }),
    routeLookup: (key) => cache.getSync(key),
    s3,
    projectBucket: BUCKET,
    router: createRouter({ invoke }),
  });
});

afterAll(async () => {
  await edge?.close();
  await bare?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('edge server', () => {
  it('sends a streamed answer chunk by chunk, and closes its stream when the viewer leaves', async () => {
    const received: string[] = [];
    const { response, request } = await new Promise<{ response: IncomingMessage; request: ClientRequest }>((resolve, reject) => {
      const request = httpRequest(
        { host: '127.0.0.1', port: edge.port, path: '/stream', headers: { host: 'hello.localhost' } },
        (response) => resolve({ response, request }),
      );
      request.on('error', reject);
      request.end();
    });
    // The head went out before any body byte was written.
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/event-stream');
    expect(response.headers['set-cookie']).toEqual(['s=1; Path=/']);
    const body = streamBody as PassThrough;
    const next = (): Promise<string> => new Promise((resolve) => response.once('data', (chunk: Buffer) => resolve(chunk.toString())));
    let arriving = next();
    body.write('data: 1\n\n');
    received.push(await arriving);
    arriving = next();
    body.write('data: 2\n\n');
    received.push(await arriving);
    expect(received).toEqual(['data: 1\n\n', 'data: 2\n\n']);
    const closed = new Promise<void>((resolve) => body.on('close', resolve));
    request.destroy();
    await closed;
    expect(body.destroyed).toBe(true);
  });

  it('serves immutable assets from the project bucket with a year-long cache', async () => {
    const reply = await call('hello.localhost:8080', '/_app/immutable/entry.js');
    expect(reply.status).toBe(200);
    expect(reply.body.toString()).toBe('console.log("entry")');
    expect(reply.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(reply.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(reply.headers.etag).toBeTruthy();

    const again = await call('hello.localhost:8080', '/_app/immutable/entry.js', {
      headers: { 'if-none-match': String(reply.headers.etag) },
    });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);

    const head = await call('hello.localhost:8080', '/_app/immutable/entry.js', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe(String('console.log("entry")'.length));
  });

  it('serves prerendered pages and static files, binary intact, revalidated', async () => {
    const about = await call('hello.localhost:8080', '/about');
    expect(about.status).toBe(200);
    expect(about.body.toString()).toBe('<h1>About</h1>');
    expect(about.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(about.headers['cache-control']).toBe('public, max-age=0, must-revalidate');

    const robots = await call('hello.localhost', '/robots.txt');
    expect(robots.body.toString()).toBe('User-agent: *');

    const png = await call('hello.localhost', '/favicon.png');
    expect(png.status).toBe(200);
    expect(png.headers['content-type']).toBe('image/png');
    expect(png.body.equals(PNG)).toBe(true);

    const missing = await call('hello.localhost', '/_app/immutable/missing.js');
    expect(missing.status).toBe(404);
    expect(missing.headers['content-type']).toContain('text/html');
  });

  it('redirects a prerendered page asked with the other trailing slash (308), serves a static directory index', async () => {
    const redirect = await call('hello.localhost:8080', '/about/?x=1');
    expect(redirect.status).toBe(308);
    expect(redirect.headers.location).toBe('/about?x=1');
    for (const path of ['/guide/', '/guide']) {
      const guide = await call('hello.localhost', path);
      expect(guide.status, path).toBe(200);
      expect(guide.body.toString(), path).toBe(GUIDE);
    }
  });

  it('answers a byte range with 206 and Content-Range, an unsatisfiable one with 416', async () => {
    const part = await call('hello.localhost', '/guide/', { headers: { range: 'bytes=0-9' } });
    expect(part.status).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 0-9/${GUIDE.length}`);
    expect(part.headers['content-length']).toBe('10');
    expect(part.body.toString()).toBe(GUIDE.slice(0, 10));
    const rest = await call('hello.localhost', '/guide/', { headers: { range: 'bytes=10-' } });
    expect(rest.status).toBe(206);
    expect(rest.body.toString()).toBe(GUIDE.slice(10));
    const beyond = await call('hello.localhost', '/guide/', { headers: { range: `bytes=${GUIDE.length + 10}-` } });
    expect(beyond.status).toBe(416);
    expect(beyond.headers['content-range']).toBe(`bytes */${GUIDE.length}`);
    // A suffix range is the file's last bytes (RFC 9110; S3 on AWS), not its first.
    const suffix = await call('hello.localhost', '/guide/', { headers: { range: 'bytes=-5' } });
    expect([suffix.status, suffix.headers['content-range'], suffix.body.toString()]).toEqual([
      206,
      `bytes ${GUIDE.length - 5}-${GUIDE.length - 1}/${GUIDE.length}`,
      GUIDE.slice(-5),
    ]);
    // Past the size the object cache holds, the range is asked of the bucket.
    const bigPart = await call('hello.localhost', '/big.txt', { headers: { range: 'bytes=-3' } });
    expect([bigPart.status, bigPart.headers['content-range'], bigPart.body.length]).toEqual([
      206,
      `bytes ${BIG_BYTES - 3}-${BIG_BYTES - 1}/${BIG_BYTES}`,
      3,
    ]);
  });

  it('compresses text files for clients that accept it (brotli first), with Vary: Accept-Encoding', async () => {
    const br = await call('hello.localhost', '/guide', { headers: { 'accept-encoding': 'gzip, br' } });
    expect(br.status).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toBe('Accept-Encoding');
    expect(br.body.length).toBeLessThan(GUIDE.length / 4);
    expect(brotliDecompressSync(br.body).toString()).toBe(GUIDE);
    // The next request gets the compressed form the edge kept for the cached file.
    const again = await call('hello.localhost', '/guide', { headers: { 'accept-encoding': 'br' } });
    expect(again.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(again.body).toString()).toBe(GUIDE);
    const gz = await call('hello.localhost', '/guide', { headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).toString()).toBe(GUIDE);
    // A HEAD names the form its GET would get (as sirv does), without the body.
    const head = await call('hello.localhost', '/guide', { method: 'HEAD', headers: { 'accept-encoding': 'gzip, br' } });
    expect([head.status, head.headers['content-encoding'], head.headers['content-length'], head.body.length]).toEqual([
      200,
      'br',
      String(br.body.length),
      0,
    ]);
    const plain = await call('hello.localhost', '/guide');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers.vary).toBe('Accept-Encoding');
    // Over CloudFront's 10 MB compression limit a file goes out as stored, here too.
    const big = await call('hello.localhost', '/big.txt', { headers: { 'accept-encoding': 'gzip, br' } });
    expect(big.status).toBe(200);
    expect(big.headers['content-encoding']).toBeUndefined();
    expect(big.body.length).toBe(BIG_BYTES);
    // Images are served as stored, like adapter-node (no precompressed copy of them exists).
    const png = await call('hello.localhost', '/favicon.png', { headers: { 'accept-encoding': 'gzip, br' } });
    expect(png.headers['content-encoding']).toBeUndefined();
    expect(png.body.equals(PNG)).toBe(true);
  });

  it('routes dynamic requests through the router to the tenant, with two Set-Cookie headers back', async () => {
    invocations.length = 0;
    const payload = Buffer.from([0, 1, 2, 253, 254, 255]);
    const reply = await call('hello.localhost:8080', '/api/echo?x=1&x=2&y=%20z', {
      method: 'POST',
      headers: {
        cookie: 'session=abc; theme=dark',
        'content-type': 'application/octet-stream',
        'x-slipway-project': 'evil',
        'x-slipway-deployment': 'd-0',
        'user-agent': 'edge-test',
      },
      body: payload,
    });
    expect(reply.status).toBe(201);
    expect(reply.headers['x-tenant']).toBe('hello');
    expect(reply.headers['set-cookie']).toEqual(['a=1; Path=/', 'b=2; Path=/; HttpOnly']);
    expect(reply.body.equals(payload)).toBe(true);

    expect(invocations).toHaveLength(1);
    const { project, deploymentId, event } = invocations[0]!;
    expect(project).toBe('hello');
    expect(deploymentId).toBe('d-1');
    expect(event.version).toBe('2.0');
    expect(event.routeKey).toBe('$default');
    expect(event.rawPath).toBe('/api/echo');
    expect(event.rawQueryString).toBe('x=1&x=2&y=%20z');
    expect(event.queryStringParameters).toEqual({ x: '1,2', y: ' z' });
    expect(event.cookies).toEqual(['session=abc', 'theme=dark']);
    expect(event.headers.host).toBe('hello.localhost:8080');
    expect(event.headers['x-forwarded-proto']).toBe('http');
    expect(event.headers['x-forwarded-for']).toBe('127.0.0.1');
    // As CloudFront adds it: the router reads the visitor's address from it.
    expect(event.headers['cloudfront-viewer-address']).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(event.headers.cookie).toBeUndefined();
    expect(Object.keys(event.headers).filter((name) => name.startsWith('x-slipway-'))).toEqual([]);
    expect(event.requestContext.domainName).toBe('hello.localhost:8080');
    expect(event.requestContext.http).toMatchObject({ method: 'POST', path: '/api/echo', sourceIp: '127.0.0.1', userAgent: 'edge-test' });
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body ?? '', 'base64').equals(payload)).toBe(true);
  });

  it('sends GET requests without a body to the router with no body', async () => {
    invocations.length = 0;
    const reply = await call('hello.localhost:8080', '/dynamic');
    expect(reply.status).toBe(201);
    expect(invocations[0]?.event.body).toBeUndefined();
    expect(invocations[0]?.event.isBase64Encoded).toBe(false);
  });

  it('hands localhost to the platform app', async () => {
    for (const host of ['localhost:8080', '127.0.0.1', 'LOCALHOST']) {
      const reply = await call(host, '/api/v1/health');
      expect(reply.status, host).toBe(200);
      expect(reply.body.toString()).toBe('platform GET /api/v1/health');
      expect(reply.headers['x-platform']).toBe('1');
    }
  });

  it('answers 404 for unknown projects and unknown hosts', async () => {
    const project = await call('nope.localhost:8080', '/');
    expect(project.status).toBe(404);
    expect(project.body.toString()).toContain('nope');

    const host = await call('example.com', '/');
    expect(host.status).toBe(404);
    expect(host.headers['content-type']).toContain('text/html');
    expect(host.body.toString()).toContain('example.com');

    const hostile = await call('<script>.example', '/');
    expect(hostile.status).toBe(404);
    expect(hostile.body.toString()).not.toContain('<script>');
  });

  it('refuses bodies over 6 MB with 413 JSON', async () => {
    invocations.length = 0;
    const reply = await call('hello.localhost', '/api/upload', { method: 'POST', body: Buffer.alloc(6 * 1024 * 1024 + 1, 97) });
    expect(reply.status).toBe(413);
    expect(reply.headers['content-type']).toBe('application/json');
    expect((JSON.parse(reply.body.toString()) as { error: { code: string } }).error.code).toBe('PayloadTooLarge');
    expect(invocations).toHaveLength(0);

    // The connection and the server are still fine afterwards.
    expect((await call('hello.localhost', '/about')).status).toBe(200);
  });

  it('answers 502 instead of crashing when the router fails', async () => {
    const failing = await createEdgeServer({
      port: 0,
      platform: () => {
        throw new Error('platform down');
      },
      routeLookup: (key) => ({ 'p:hello': 'd-1' })[key],
      s3: new S3Client({
        region: 'us-east-1',
        endpoint: 'http://127.0.0.1:9',
        credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
        maxAttempts: 1,
      }),
      projectBucket: BUCKET,
      router: async () => {
        throw new Error('router down');
      },
    });
    const saved = edge;
    const original = console.error;
    console.error = () => undefined;
    try {
      edge = failing;
      expect((await call('hello.localhost', '/x')).status).toBe(502);
      expect((await call('hello.localhost', '/_app/immutable/a.js')).status).toBe(502);
      expect((await call('localhost', '/')).status).toBe(500);
    } finally {
      console.error = original;
      edge = saved;
      await failing.close();
    }
  });
});
