/**
 * The adapter handler's streaming path, in Lambda's response-stream shape: a fake `awslambda` global
 * (this test's only) marks the handler and writes the metadata prelude the way the Node.js runtime
 * does; the bytes are then read back with the router's reader of that shape.
 */
import { PassThrough, Writable } from 'node:stream';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { BUFFERED_RESPONSE_LIMIT_BYTES } from '../../buildrunner/adapter/files/event.js';
import {
  createHandlerForInstance,
  type KitServer,
  type LambdaResponseStream,
  type SlipwayHandler,
  type SlipwayStreamingHandler,
} from '../../buildrunner/adapter/files/handler.js';
import { isStreamed } from '../../handlers/lib/function-response.js';
import { HTTP_INTEGRATION_CONTENT_TYPE, readHttpIntegrationStream } from '../../router/lambda/http-integration-stream.js';

const STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');

/** What Lambda's runtime hands a streaming handler: a Writable with a content type, and a hook before its first write. */
class FakeResponseStream extends Writable {
  contentType = 'application/octet-stream';
  readonly writes: Array<{ bytes: Buffer; at: number }> = [];
  _onBeforeFirstWrite?: (write: (chunk: string | Uint8Array) => void) => void;
  private first = true;
  constructor(private readonly started: number) {
    super();
  }
  setContentType(contentType: string): void {
    this.contentType = contentType;
  }
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    if (this.first) {
      this.first = false;
      this._onBeforeFirstWrite?.((part) => this.writes.push({ bytes: Buffer.from(part), at: Date.now() - this.started }));
    }
    if (chunk.length > 0) this.writes.push({ bytes: Buffer.from(chunk), at: Date.now() - this.started });
    done();
  }
}

function installFakeAwsLambda(): void {
  (globalThis as { awslambda?: unknown }).awslambda = {
    streamifyResponse: (handler: SlipwayStreamingHandler) => Object.assign(handler, { [STREAMING]: 'response' }),
    HttpResponseStream: {
      from(stream: FakeResponseStream, prelude: unknown) {
        stream.setContentType(HTTP_INTEGRATION_CONTENT_TYPE);
        const metadata = JSON.stringify(prelude);
        stream._onBeforeFirstWrite = (write) => {
          write(metadata);
          write(new Uint8Array(8));
        };
        return stream;
      },
    },
  };
}

afterEach(() => {
  delete (globalThis as { awslambda?: unknown }).awslambda;
});

function event(path: string): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers: { host: 'app.example.com' },
    requestContext: { http: { method: 'GET', path, sourceIp: '203.0.113.7' }, domainName: 'app.example.com' },
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEventV2;
}

/** A SvelteKit server whose page streams: the shell at once, the awaited part ~300 ms later. */
const server: KitServer = {
  async init() {},
  async respond(request) {
    const path = new URL(request.url).pathname;
    const headers = new Headers({ 'content-type': 'text/html; charset=utf-8' });
    headers.append('set-cookie', 'a=1; Path=/');
    headers.append('set-cookie', 'b=2; Path=/');
    if (path === '/empty') return new Response(null, { status: 204, headers });
    if (path === '/big')
      return new Response(new Uint8Array(5 * 1024 * 1024).fill(7), { headers: { 'content-type': 'application/octet-stream' } });
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(encoder.encode('<p>shell</p>'));
        await new Promise((resolve) => setTimeout(resolve, 300));
        controller.enqueue(encoder.encode('<p>resolved</p>'));
        controller.close();
      },
    });
    return new Response(body, { status: 200, headers });
  },
};

async function invokeStreaming(path: string): Promise<FakeResponseStream> {
  installFakeAwsLambda();
  const handler = createHandlerForInstance(server) as SlipwayStreamingHandler;
  expect((handler as unknown as Record<symbol, unknown>)[STREAMING]).toBe('response');
  const stream = new FakeResponseStream(Date.now());
  await handler(event(path), stream as unknown as LambdaResponseStream);
  return stream;
}

describe('adapter handler on a runtime with response streaming', () => {
  it('writes the prelude at once, then each chunk as SvelteKit produces it', async () => {
    const stream = await invokeStreaming('/');
    expect(stream.contentType).toBe(HTTP_INTEGRATION_CONTENT_TYPE);
    const [prelude, delimiter, shell, resolved] = stream.writes;
    expect(JSON.parse(prelude?.bytes.toString() ?? '')).toEqual({
      statusCode: 200,
      headers: { 'content-type': 'text/html; charset=utf-8' },
      cookies: ['a=1; Path=/', 'b=2; Path=/'],
    });
    expect(delimiter?.bytes).toEqual(Buffer.alloc(8));
    expect(shell?.bytes.toString()).toBe('<p>shell</p>');
    expect(resolved?.bytes.toString()).toBe('<p>resolved</p>');
    // The head and the shell went out before the awaited part existed (~300 ms later), not with it.
    expect((resolved?.at ?? 0) - (shell?.at ?? 0)).toBeGreaterThanOrEqual(250);
    expect(stream.writableFinished).toBe(true);

    // The router reads these bytes back as the same response.
    const source = new PassThrough();
    source.end(Buffer.concat(stream.writes.map((write) => write.bytes)));
    const response = await readHttpIntegrationStream(stream.contentType, source);
    if (!isStreamed(response)) throw new Error('expected a streamed response');
    expect(response.statusCode).toBe(200);
    expect(response.cookies).toEqual(['a=1; Path=/', 'b=2; Path=/']);
    let body = '';
    for await (const chunk of response.body) body += String(chunk);
    expect(body).toBe('<p>shell</p><p>resolved</p>');
  });

  it('sends the prelude of a bodiless response', async () => {
    const stream = await invokeStreaming('/empty');
    expect(stream.writes).toHaveLength(2);
    expect(JSON.parse(stream.writes[0]?.bytes.toString() ?? '')).toMatchObject({ statusCode: 204 });
    expect(stream.writableFinished).toBe(true);
  });

  it('sends a 5 MB binary body as bytes, not base64', async () => {
    const stream = await invokeStreaming('/big');
    const body = Buffer.concat(stream.writes.slice(2).map((write) => write.bytes));
    expect(body.length).toBe(5 * 1024 * 1024);
    expect(body.every((byte) => byte === 7)).toBe(true);
  });
});

describe('adapter handler without response streaming (buffered)', () => {
  it("refuses a response over Lambda's 6 MB buffered limit with an error naming both sizes", async () => {
    const handler = createHandlerForInstance(server) as SlipwayHandler;
    expect((handler as unknown as Record<symbol, unknown>)[STREAMING]).toBeUndefined();
    const error = (await handler(event('/big')).catch((caught: unknown) => caught)) as Error;
    expect(error.name).toBe('ResponseTooLarge');
    expect(error.message).toContain(`a body of ${5 * 1024 * 1024} bytes, base64-encoded`);
    expect(error.message).toContain(`${BUFFERED_RESPONSE_LIMIT_BYTES} bytes (6 MB)`);
    expect(await handler(event('/'))).toMatchObject({ statusCode: 200, body: '<p>shell</p><p>resolved</p>' });
  });
});
