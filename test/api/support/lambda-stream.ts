import { Writable } from 'node:stream';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';

/**
 * The log-stream Lambda in Lambda's response-stream shape: a stand-in `awslambda` global marks the
 * handler and hands it a Writable that receives the response metadata, as the Node.js runtime does
 * for a RESPONSE_STREAM function URL.
 */
const STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');

export interface ResponseMetadata {
  statusCode: number;
  headers: Record<string, string>;
  cookies: string[];
}

/** What Lambda's runtime hands a streaming handler; `HttpResponseStream.from` attaches the metadata. */
export class FakeResponseStream extends Writable {
  readonly body: ReadableStream<Uint8Array>;
  readonly opened: Promise<ResponseMetadata>;
  private controller!: ReadableStreamDefaultController<Uint8Array>;
  private resolveOpened!: (metadata: ResponseMetadata) => void;
  constructor() {
    super();
    this.body = new ReadableStream({ start: (controller) => void (this.controller = controller) });
    this.opened = new Promise((resolve) => (this.resolveOpened = resolve));
  }
  open(metadata: ResponseMetadata): void {
    this.resolveOpened(metadata);
  }
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    if (chunk.length > 0) this.controller.enqueue(new Uint8Array(chunk));
    done();
  }
  override _final(done: () => void): void {
    this.controller.close();
    done();
  }
}

export type StreamingHandler = (event: APIGatewayProxyEventV2, stream: FakeResponseStream, context: Context) => Promise<void>;

/** Installs the stand-in runtime global, imports the log-stream Lambda (its module calls streamifyResponse) and returns its handler. */
export async function loadLogStreamLambda(): Promise<StreamingHandler> {
  (globalThis as { awslambda?: unknown }).awslambda = {
    streamifyResponse: (handler: StreamingHandler) => Object.assign(handler, { [STREAMING]: 'response' }),
    HttpResponseStream: {
      from(stream: FakeResponseStream, metadata: ResponseMetadata) {
        stream.open(metadata);
        return stream;
      },
    },
  };
  const handler = (await import('../../../handlers/api/log-stream-lambda.js')).handler as unknown as StreamingHandler;
  if ((handler as unknown as Record<symbol, unknown>)[STREAMING] !== 'response')
    throw new Error('the log-stream handler is not a streaming handler');
  return handler;
}

export function unloadAwsLambdaGlobal(): void {
  delete (globalThis as { awslambda?: unknown }).awslambda;
}

/** A function URL's event (payload 2.0) for a GET of `path` below /api/v1; a `cookie` header travels as `cookies`, as Lambda sends it. */
export function urlEvent(path: string, headers: Record<string, string>): APIGatewayProxyEventV2 {
  const rawPath = `/api/v1${path}`;
  const { cookie, ...others } = headers;
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString: '',
    ...(cookie ? { cookies: cookie.split('; ') } : {}),
    headers: { host: 'abcdefghij.lambda-url.eu-west-1.on.aws', ...others },
    requestContext: {
      http: { method: 'GET', path: rawPath, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'test' },
      domainName: 'abcdefghij.lambda-url.eu-west-1.on.aws',
      requestId: 'request-1',
    },
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEventV2;
}

/** A Lambda context with `remainingMs` left at the start of the invocation. */
export function lambdaContext(remainingMs: number): Context {
  const end = Date.now() + remainingMs;
  return { getRemainingTimeInMillis: () => end - Date.now(), awsRequestId: 'request-1' } as unknown as Context;
}

/** Invokes the streaming handler; resolves once the metadata is out, the body still streaming. */
export async function invokeStream(
  handler: StreamingHandler,
  path: string,
  headers: Record<string, string>,
  context = lambdaContext(900_000),
): Promise<{ metadata: ResponseMetadata; body: ReadableStream<Uint8Array>; finished: Promise<void> }> {
  const stream = new FakeResponseStream();
  const finished = handler(urlEvent(path, headers), stream, context);
  const metadata = await Promise.race([stream.opened, finished.then(() => stream.opened)]);
  return { metadata, body: stream.body, finished };
}
