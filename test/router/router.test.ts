import { type Readable, Writable } from 'node:stream';
import type { Context, APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { isComplete, isStreamed, type FunctionResponse } from '../../handlers/lib/function-response.js';
import { createRouter, routeRequest, streamingEntry } from '../../router/lambda/handler.js';
import type { LambdaResponseStream, LambdaStreamingRuntime } from '../../handlers/lib/lambda-response-stream.js';
import { bindPlatform } from '../../handlers/lib/bindings/platform.js';
import { awsPlatformSettings } from '../../infra/aws/runtime/platform-settings.js';
import { lambdaInvoker, normalizeResult } from '../../router/lambda/lambda-invoker.js';
import { DEFAULT_STAGE } from '../../handlers/lib/stage.js';
import type { InvokeWithResponseStreamResponseEvent, LambdaClient } from '@aws-sdk/client-lambda';

function event(headers: Record<string, string>, extra: Partial<APIGatewayProxyEventV2> = {}): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/api/items',
    rawQueryString: 'a=1&b=2',
    cookies: ['session=abc', 'theme=dark'],
    headers: { host: 'router.internal', accept: 'application/json', ...headers },
    queryStringParameters: { a: '1', b: '2' },
    requestContext: {
      accountId: 'local',
      apiId: 'edge',
      domainName: 'router.internal',
      domainPrefix: 'router',
      http: { method: 'POST', path: '/api/items', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
      requestId: 'r-1',
      routeKey: '$default',
      stage: '$default',
      time: '01/Jan/2025:00:00:00 +0000',
      timeEpoch: 0,
    },
    body: Buffer.from('{"x":1}').toString('base64'),
    isBase64Encoded: true,
    ...extra,
  };
}

const tags = {
  'x-slipway-project': 'hello',
  'x-slipway-deployment': 'd-1',
  // Production carries the version its pointer names, as a preview does.
  'x-slipway-qualifier': '3',
  'x-slipway-host': 'hello.localhost:8080',
  'x-slipway-origin': 'router',
};

function recorder() {
  const calls: Array<{ project: string; deploymentId: string; event: APIGatewayProxyEventV2; qualifier?: string }> = [];
  const invoke = async (
    project: string,
    deploymentId: string,
    e: APIGatewayProxyEventV2,
    qualifier?: string,
  ): Promise<APIGatewayProxyStructuredResultV2> => {
    calls.push({ project, deploymentId, event: e, qualifier });
    return { statusCode: 200, body: 'ok' };
  };
  return { calls, invoke };
}

/** The result as a buffered one (every router answer in these tests is). */
function buffered(result: FunctionResponse): APIGatewayProxyStructuredResultV2 {
  if (isStreamed(result) || isComplete(result)) throw new Error('expected a buffered result, got a streamed one');
  return result;
}

type StreamEvent = InvokeWithResponseStreamResponseEvent | { wait: number };

function payloadChunk(bytes: string | Uint8Array): InvokeWithResponseStreamResponseEvent {
  return { PayloadChunk: { Payload: typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes } };
}

/** What InvokeWithResponseStream answers: the stream's content type and its events, `{ wait }` pausing between them. */
function invocationOutput(
  contentType: string,
  parts: StreamEvent[],
): { ResponseStreamContentType: string; EventStream: AsyncIterable<InvokeWithResponseStreamResponseEvent> } {
  return {
    ResponseStreamContentType: contentType,
    EventStream: (async function* () {
      for (const part of parts) {
        if ('wait' in part) await new Promise((resolve) => setTimeout(resolve, part.wait));
        else yield part as InvokeWithResponseStreamResponseEvent;
      }
    })(),
  };
}

/** A prelude and its delimiter, as HttpResponseStream.from writes them. */
function prelude(head: object): Uint8Array {
  return Buffer.concat([Buffer.from(JSON.stringify(head)), Buffer.alloc(8)]);
}

function errorOf(result: FunctionResponse): { code: string; message: string } {
  return (JSON.parse(buffered(result).body ?? '{}') as { error: { code: string; message: string } }).error;
}

describe('router', () => {
  it('refuses requests without the edge tags', async () => {
    const { calls, invoke } = recorder();
    const router = createRouter({ invoke });
    const partial: Array<Record<string, string>> = [{}, { 'x-slipway-project': 'hello' }, { 'x-slipway-deployment': 'd-1' }];
    for (const headers of partial) {
      const result = await router(event(headers));
      expect(result.statusCode).toBe(403);
      expect(errorOf(result).code).toBe('Forbidden');
    }
    const malformed = await router(event({ 'x-slipway-project': '../etc', 'x-slipway-deployment': 'd-1' }));
    expect(malformed.statusCode).toBe(403);
    expect(calls).toHaveLength(0);
  });

  it('refuses a missing or wrong origin secret when one is configured', async () => {
    const { calls, invoke } = recorder();
    const router = createRouter({ invoke, originSecret: 's3cret-value' });
    expect((await router(event(tags))).statusCode).toBe(403);
    expect((await router(event({ ...tags, 'x-slipway-origin-secret': 'wrong' }))).statusCode).toBe(403);
    expect((await router(event({ ...tags, 'x-slipway-origin-secret': 's3cret-valuX' }))).statusCode).toBe(403);
    expect(calls).toHaveLength(0);
    const ok = await router(event({ ...tags, 'x-slipway-origin-secret': 's3cret-value' }));
    expect(ok.statusCode).toBe(200);
    expect(calls).toHaveLength(1);
  });

  it("passes the pointer's qualifier to the invoker, production and preview alike, and refuses a malformed one", async () => {
    const { calls, invoke } = recorder();
    const router = createRouter({ invoke });
    const preview = {
      ...tags,
      'x-slipway-deployment': 'd-9',
      'x-slipway-host': 'hello--feature-x.localhost:8080',
      'x-slipway-qualifier': '42',
    };
    expect((await router(event(preview))).statusCode).toBe(200);
    expect(calls[0]).toMatchObject({ project: 'hello', deploymentId: 'd-9', qualifier: '42' });
    expect(calls[0]!.event.headers.host).toBe('hello--feature-x.localhost:8080');
    expect(calls[0]!.event.headers['x-slipway-qualifier']).toBeUndefined();
    await router(event(tags));
    expect(calls[1]).toMatchObject({ project: 'hello', deploymentId: 'd-1', qualifier: '3' });
    const bad = await router(event({ ...preview, 'x-slipway-qualifier': '$LATEST' }));
    expect(bad.statusCode).toBe(403);
    expect(errorOf(bad).message).toContain('x-slipway-qualifier');
    expect(calls).toHaveLength(2);
  });

  it('the Lambda invoker calls exactly the version the pointer names, and no alias for a pointer without one', async () => {
    const sent: Array<{ FunctionName?: string; Qualifier?: string }> = [];
    const client = {
      send: async (command: { input: { FunctionName?: string; Qualifier?: string } }) => {
        sent.push(command.input);
        return invocationOutput('application/json', [payloadChunk(JSON.stringify({ statusCode: 200, body: 'ok' }))]);
      },
    } as unknown as LambdaClient;
    const invoke = lambdaInvoker(DEFAULT_STAGE, client);
    await invoke('hello', 'd-1', event(tags), '3');
    await invoke('hello', 'd-9', event(tags), '42');
    expect(sent).toEqual([
      expect.objectContaining({ FunctionName: 'slipway-project-hello', Qualifier: '3' }),
      expect.objectContaining({ FunctionName: 'slipway-project-hello', Qualifier: '42' }),
    ]);
    // A bare pointer (written before production carried a version) must not fall back to whatever an alias names.
    await expect(invoke('hello', 'd-1', event(tags))).rejects.toThrow(/names no function version/);
    expect(sent).toHaveLength(2);
    // Through the router that is a 502, never a request to the unqualified function.
    const { 'x-slipway-qualifier': _dropped, ...bare } = tags;
    const errors = console.error;
    console.error = () => {};
    try {
      expect((await createRouter({ invoke })(event(bare))).statusCode).toBe(502);
    } finally {
      console.error = errors;
    }
    expect(sent).toHaveLength(2);
    // Another stage's router invokes its own stage's function, never the default stage's one of the same project.
    await lambdaInvoker('dev', client)('hello', 'd-1', event(tags), '7');
    expect(sent.at(-1)).toEqual(expect.objectContaining({ FunctionName: 'slipway-dev-project-hello', Qualifier: '7' }));
  });

  it('restores the public host and strips every x-slipway-* header', async () => {
    const { calls, invoke } = recorder();
    const router = createRouter({ invoke, originSecret: 'shh' });
    const result = await router(event({ ...tags, 'x-slipway-origin-secret': 'shh', 'X-Slipway-Extra': 'x' }));
    expect(result).toEqual({ statusCode: 200, body: 'ok' });
    const [call] = calls;
    expect(call?.project).toBe('hello');
    expect(call?.deploymentId).toBe('d-1');
    const tenant = call!.event;
    expect(tenant.headers.host).toBe('hello.localhost:8080');
    expect(tenant.requestContext.domainName).toBe('hello.localhost:8080');
    expect(tenant.requestContext.domainPrefix).toBe('hello');
    expect(Object.keys(tenant.headers).filter((name) => name.toLowerCase().startsWith('x-slipway-'))).toEqual([]);
    expect(tenant.headers.accept).toBe('application/json');
    expect(tenant.cookies).toEqual(['session=abc', 'theme=dark']);
    expect(tenant.rawPath).toBe('/api/items');
    expect(tenant.rawQueryString).toBe('a=1&b=2');
    expect(tenant.queryStringParameters).toEqual({ a: '1', b: '2' });
    expect(tenant.body).toBe(Buffer.from('{"x":1}').toString('base64'));
    expect(tenant.isBase64Encoded).toBe(true);
    expect(tenant.requestContext.http.method).toBe('POST');
  });

  /** A Lambda client whose every invocation answers a FunctionError with `payload`. */
  const failingLambda = (payload: object) =>
    ({
      send: async () =>
        invocationOutput('application/json', [payloadChunk(JSON.stringify(payload)), { InvokeComplete: { ErrorCode: 'Unhandled' } }]),
    }) as unknown as LambdaClient;

  async function routedWithLog(
    router: ReturnType<typeof createRouter>,
    request: APIGatewayProxyEventV2,
  ): Promise<{ result: APIGatewayProxyStructuredResultV2; logged: string }> {
    const original = console.error;
    let logged = '';
    console.error = (...args: unknown[]) => (logged += args.join(' '));
    try {
      return { result: buffered(await router(request)), logged };
    } finally {
      console.error = original;
    }
  }

  it('answers a failing tenant function (FunctionError) with a plain 502 page and its request id; the error text goes to the log only', async () => {
    const router = createRouter({
      invoke: lambdaInvoker(
        DEFAULT_STAGE,
        failingLambda({ errorType: 'Error', errorMessage: 'env_invalid: DATABASE_URL=postgres://u:hunter2@db', trace: [] }),
      ),
    });
    const { result, logged } = await routedWithLog(router, event(tags));
    expect(result.statusCode).toBe(502);
    expect(result.headers).toMatchObject({
      'content-type': 'text/plain; charset=utf-8',
      'x-slipway-request-id': 'r-1',
      'cache-control': 'no-store',
    });
    expect(result.body).toBe('502 Bad Gateway — the application failed to answer (request id r-1)\n');
    expect(logged).toContain('request r-1');
    expect(logged).toContain('hunter2');
  });

  it('answers a tenant function stopped at its timeout with a 504 page', async () => {
    const router = createRouter({
      invoke: lambdaInvoker(
        DEFAULT_STAGE,
        failingLambda({ errorType: 'Sandbox.Timedout', errorMessage: 'RequestId: x Error: Task timed out after 3.00 seconds' }),
      ),
    });
    const { result } = await routedWithLog(router, event(tags));
    expect(result.statusCode).toBe(504);
    expect(result.body).toBe('504 Gateway Timeout — the application did not answer in time (request id r-1)\n');
  });

  it('answers 502 without the error text when invoking the function throws', async () => {
    const router = createRouter({
      invoke: async () => {
        throw new Error('boom: the secret detail');
      },
    });
    const { result, logged } = await routedWithLog(
      router,
      event(tags, { requestContext: { ...event(tags).requestContext, requestId: 'bad id\r\nx: y' } }),
    );
    expect(result.statusCode).toBe(502);
    expect(result.body).not.toContain('boom');
    // A request id unfit for a header is replaced by a fresh one, the same in the page and the log.
    const requestId = result.headers?.['x-slipway-request-id'] as string;
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(result.body).toContain(requestId);
    expect(logged).toContain(`request ${requestId}`);
    expect(logged).toContain('boom: the secret detail');
  });

  it('the AWS streaming entry writes its answer in the HTTP integration shape (prelude, 8 NULs, body)', async () => {
    bindPlatform(awsPlatformSettings({}));
    const written: Buffer[] = [];
    let contentType = '';
    let beforeFirstWrite: ((write: (chunk: string | Uint8Array) => void) => void) | undefined;
    const responseStream = Object.assign(
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          if (beforeFirstWrite) {
            const hook = beforeFirstWrite;
            beforeFirstWrite = undefined;
            hook((part) => written.push(Buffer.from(part)));
          }
          written.push(chunk);
          done();
        },
      }),
      { setContentType: (type: string) => (contentType = type) },
    );
    // Lambda's runtime global, reduced to what streaming uses (this test's own stand-in).
    const runtime: LambdaStreamingRuntime = {
      streamifyResponse: (handler) => handler,
      HttpResponseStream: {
        from(stream, head) {
          (stream as LambdaResponseStream).setContentType('application/vnd.awslambda.http-integration-response');
          beforeFirstWrite = (write) => {
            write(JSON.stringify(head));
            write(new Uint8Array(8));
          };
          return stream;
        },
      },
    };
    await streamingEntry(runtime)(event(tags), responseStream, {} as Context);
    expect(contentType).toBe('application/vnd.awslambda.http-integration-response');
    const bytes = Buffer.concat(written);
    const at = bytes.indexOf(Buffer.alloc(8));
    expect(JSON.parse(bytes.subarray(0, at).toString())).toMatchObject({
      statusCode: 500,
      headers: { 'content-type': 'application/json' },
      cookies: [],
    });
    expect(bytes.subarray(at + 8).toString()).toContain('SLIPWAY_ORIGIN_SECRET');
  });

  it('the AWS handler refuses everything when its platform has no origin secret (SLIPWAY_ORIGIN_SECRET)', async () => {
    expect(awsPlatformSettings({}).originSecret).toBeUndefined();
    bindPlatform(awsPlatformSettings({}));
    expect((await routeRequest(event(tags))).statusCode).toBe(500);
  });

  it('treats a tenant result without statusCode as a 200 JSON body', () => {
    expect(normalizeResult({ hello: 'world' })).toEqual({
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      body: '{"hello":"world"}',
    });
    expect(normalizeResult({ statusCode: 204 })).toEqual({ statusCode: 204 });
  });

  describe('a streaming tenant function (InvokeWithResponseStream, HTTP integration shape)', () => {
    const STREAM = 'application/vnd.awslambda.http-integration-response';
    function streamingLambda(parts: StreamEvent[], seen?: { signal?: AbortSignal }): LambdaClient {
      return {
        send: async (_command: unknown, options?: { abortSignal?: AbortSignal }) => {
          if (seen) seen.signal = options?.abortSignal;
          return invocationOutput(STREAM, parts);
        },
      } as unknown as LambdaClient;
    }
    async function collect(body: Readable): Promise<Array<{ text: string; at: number }>> {
      const started = Date.now();
      const chunks: Array<{ text: string; at: number }> = [];
      for await (const chunk of body) chunks.push({ text: Buffer.from(chunk as Uint8Array).toString(), at: Date.now() - started });
      return chunks;
    }

    it('passes the head on once the prelude is in (even split across chunks), then the body as it comes', async () => {
      const head = prelude({ statusCode: 200, headers: { 'content-type': 'text/html' }, cookies: ['a=1'] });
      const router = createRouter({
        invoke: lambdaInvoker(
          DEFAULT_STAGE,
          streamingLambda([
            payloadChunk(head.subarray(0, 20)),
            payloadChunk(Buffer.concat([head.subarray(20), Buffer.from('<p>shell</p>')])),
            { wait: 300 },
            payloadChunk('<p>resolved</p>'),
            { InvokeComplete: {} },
          ]),
        ),
      });
      const started = Date.now();
      const response = await router(event(tags));
      expect(Date.now() - started).toBeLessThan(200);
      if (!isStreamed(response)) throw new Error('expected a streamed response');
      expect(response).toMatchObject({ statusCode: 200, headers: { 'content-type': 'text/html' }, cookies: ['a=1'] });
      const chunks = await collect(response.body);
      expect(chunks.map((chunk) => chunk.text)).toEqual(['<p>shell</p>', '<p>resolved</p>']);
      expect(chunks[0]?.at).toBeLessThan(100);
      expect(chunks[1]?.at).toBeGreaterThanOrEqual(250);
    });

    it('ends a begun stream at the function timeout, and cuts it on any other failure', async () => {
      const timedOut = await createRouter({
        invoke: lambdaInvoker(
          DEFAULT_STAGE,
          streamingLambda([
            payloadChunk(prelude({ statusCode: 200, headers: { 'content-type': 'text/event-stream' } })),
            payloadChunk('data: 0\n\n'),
            { InvokeComplete: { ErrorCode: 'Sandbox.Timedout', ErrorDetails: 'Task timed out after 30.00 seconds' } },
          ]),
        ),
      })(event(tags));
      if (!isStreamed(timedOut)) throw new Error('expected a streamed response');
      expect((await collect(timedOut.body)).map((chunk) => chunk.text).join('')).toBe('data: 0\n\n');

      const failed = await createRouter({
        invoke: lambdaInvoker(
          DEFAULT_STAGE,
          streamingLambda([
            payloadChunk(prelude({ statusCode: 200 })),
            payloadChunk('partial'),
            { InvokeComplete: { ErrorCode: 'Unhandled', ErrorDetails: 'boom' } },
          ]),
        ),
      })(event(tags));
      if (!isStreamed(failed)) throw new Error('expected a streamed response');
      await expect(collect(failed.body)).rejects.toThrow('boom');
    });

    it('answers 504 when the function times out before its head', async () => {
      const router = createRouter({
        invoke: lambdaInvoker(
          DEFAULT_STAGE,
          streamingLambda([{ InvokeComplete: { ErrorCode: 'Sandbox.Timedout', ErrorDetails: 'Task timed out after 30.00 seconds' } }]),
        ),
      });
      const { result } = await routedWithLog(router, event(tags));
      expect(result.statusCode).toBe(504);
    });

    it('stops reading from Lambda when the viewer leaves', async () => {
      const seen: { signal?: AbortSignal } = {};
      const response = await createRouter({
        invoke: lambdaInvoker(
          DEFAULT_STAGE,
          streamingLambda([payloadChunk(prelude({ statusCode: 200 })), payloadChunk('data: 0\n\n'), { wait: 5000 }], seen),
        ),
      })(event(tags));
      if (!isStreamed(response)) throw new Error('expected a streamed response');
      expect(seen.signal?.aborted).toBe(false);
      response.body.destroy();
      await new Promise((resolve) => setImmediate(resolve));
      expect(seen.signal?.aborted).toBe(true);
    });
  });
});
