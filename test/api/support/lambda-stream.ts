import { once } from 'node:events';
import { PassThrough, Readable, Writable } from 'node:stream';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import {
  installAwsLambdaGlobal,
  isStreamingHandler,
  type LambdaResponseStream,
} from '../../../infra/local/function-host/awslambda-global.js';
import { isStreamed } from '../../../handlers/lib/function-response.js';
import { readHttpIntegrationStream } from '../../../router/lambda/http-integration-stream.js';

/**
 * The log-stream Lambda in Lambda's response-stream shape: the local function host's `awslambda`
 * global (the runtime's marks and metadata prelude bytes) and a response stream with the runtime's
 * first-write hook; the bytes are read back with the reader the AWS router uses for
 * `InvokeWithResponseStream`, as a function URL would send them on.
 */
export interface ResponseMetadata {
  statusCode: number;
  headers: Record<string, string>;
}

/** The response stream a streaming handler gets from the runtime: every byte, the prelude first, into `bytes`. */
class RuntimeResponseStream extends Writable implements LambdaResponseStream {
  contentType = 'application/octet-stream';
  readonly bytes = new PassThrough();
  _onBeforeFirstWrite?: (write: (chunk: string | Uint8Array) => void) => void;
  private first = true;
  setContentType(contentType: string): void {
    this.contentType = contentType;
  }
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    if (this.first) {
      this.first = false;
      this._onBeforeFirstWrite?.((part) => this.bytes.write(part));
      this.emit('first-write');
    }
    if (chunk.length > 0) this.bytes.write(chunk);
    done();
  }
  override _final(done: () => void): void {
    this.bytes.end();
    done();
  }
}

export type StreamingHandler = (event: APIGatewayProxyEventV2, stream: LambdaResponseStream, context: Context) => Promise<void>;

/** Installs the runtime global, imports the log-stream Lambda (its module calls streamifyResponse) and returns its handler. */
export async function loadLogStreamLambda(): Promise<StreamingHandler> {
  installAwsLambdaGlobal();
  const handler = (await import('../../../handlers/api/log-stream-lambda.js')).handler;
  if (!isStreamingHandler(handler)) throw new Error('the log-stream handler is not a streaming handler');
  return handler as unknown as StreamingHandler;
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

/** Invokes the streaming handler; resolves once the metadata prelude has arrived, the body still streaming. */
export async function invokeStream(
  handler: StreamingHandler,
  path: string,
  headers: Record<string, string>,
  context = lambdaContext(900_000),
): Promise<{ metadata: ResponseMetadata; body: ReadableStream<Uint8Array>; finished: Promise<void> }> {
  const stream = new RuntimeResponseStream();
  const firstWrite = once(stream, 'first-write');
  const finished = handler(urlEvent(path, headers), stream, context);
  await Promise.race([firstWrite, finished]);
  const response = await readHttpIntegrationStream(stream.contentType, stream.bytes);
  if (!isStreamed(response)) throw new Error('the response stream has no body stream');
  return {
    metadata: { statusCode: response.statusCode ?? 200, headers: (response.headers ?? {}) as Record<string, string> },
    body: Readable.toWeb(response.body) as ReadableStream<Uint8Array>,
    finished,
  };
}
