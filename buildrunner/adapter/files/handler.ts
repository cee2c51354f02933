/**
 * Lambda runtime of Slipway's SvelteKit adapter: bundled (by esbuild, in ../index.ts) together with
 * the app's SvelteKit server into `server/handler.js` of the build bundle.
 */
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { eventToRequest, responseToResult, withProxyHeaders } from './event.js';

/** The parts of SvelteKit's `Server` class the handler uses. */
export interface KitServer {
  init(options: { env: Record<string, string>; read?: (file: string) => ReadableStream }): Promise<void>;
  respond(request: Request, options: { getClientAddress(): string; platform?: unknown }): Promise<Response>;
}
export type KitServerClass<M> = new (manifest: M) => KitServer;

export interface HandlerOptions {
  /** Reads a server asset (`read` from `$app/server`); paths are relative to the server output. */
  read?: (file: string) => ReadableStream;
}

/** What `event.platform` holds inside the app's hooks and endpoints. */
export interface SlipwayPlatform {
  event: APIGatewayProxyEventV2;
  context: Context | undefined;
}

export type SlipwayHandler = (event: APIGatewayProxyEventV2, context?: Context) => Promise<APIGatewayProxyStructuredResultV2>;

/** The response stream Lambda's runtime hands a streaming handler. */
export type LambdaResponseStream = Writable & { setContentType(contentType: string): void };
export type SlipwayStreamingHandler = (
  event: APIGatewayProxyEventV2,
  responseStream: LambdaResponseStream,
  context?: Context,
) => Promise<void>;

/** The parts of the Lambda runtime's `awslambda` global that response streaming uses. */
interface LambdaStreamingRuntime {
  streamifyResponse(handler: SlipwayStreamingHandler): SlipwayStreamingHandler;
  HttpResponseStream: {
    from(stream: LambdaResponseStream, prelude: { statusCode: number; headers: Record<string, string>; cookies: string[] }): Writable;
  };
}

/** `awslambda` when the runtime provides it (Lambda's Node.js runtime and Slipway's local one do; plain Node does not). */
function streamingRuntime(): LambdaStreamingRuntime | undefined {
  const runtime = (globalThis as { awslambda?: Partial<LambdaStreamingRuntime> }).awslambda;
  return typeof runtime?.streamifyResponse === 'function' && typeof runtime.HttpResponseStream?.from === 'function'
    ? (runtime as LambdaStreamingRuntime)
    : undefined;
}

/**
 * Writes a SvelteKit response to Lambda's response stream: status, headers and cookies as the
 * metadata prelude, sent at once, then each body chunk as SvelteKit produces it (streamed `load`
 * promises, server-sent events).
 */
async function writeToResponseStream(
  runtime: LambdaStreamingRuntime,
  responseStream: LambdaResponseStream,
  response: Response,
): Promise<void> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value;
  });
  const out = runtime.HttpResponseStream.from(responseStream, {
    statusCode: response.status,
    headers,
    cookies: response.headers.getSetCookie(),
  });
  // An empty first write sends the prelude now, before the first body chunk is ready.
  out.write(new Uint8Array(0));
  if (response.body !== null) await pump(response.body, out);
  else out.end();
  await finished(out);
}

/**
 * Copies a Web body into a Node stream chunk by chunk, waiting while the stream is full. If the
 * viewer leaves (the stream closes unfinished or fails), the body is cancelled (an event stream's
 * cancel() runs) and the copy fails. A read loop rather than `pipeline(Readable.fromWeb(...))`:
 * that adds a Node stream, abort signals and promises per response, a fair part of a small page's
 * cost.
 */
async function pump(body: ReadableStream<Uint8Array>, out: Writable): Promise<void> {
  const reader = body.getReader();
  let left: Error | undefined;
  let wake: (() => void) | undefined;
  const onLeave = (error?: Error): void => {
    if (out.writableFinished) return;
    left ??= error ?? new Error('the response stream closed before the body ended');
    reader.cancel(left).catch(() => undefined);
    wake?.();
  };
  const onClose = (): void => onLeave();
  out.on('error', onLeave);
  out.on('close', onClose);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (left) throw left;
      if (done) break;
      if (!out.write(value)) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          out.once('drain', resolve);
        });
        wake = undefined;
        if (left) throw left;
      }
    }
  } catch (error) {
    // The body failed (or the viewer left): the stream ends with the failure, cutting the response.
    if (!out.destroyed) out.destroy(error as Error);
    throw error;
  } finally {
    out.off('error', onLeave);
    out.off('close', onClose);
  }
  out.end();
}

function stringEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (typeof value === 'string') env[name] = value;
  }
  return env;
}

export function createHandler<M>(
  Server: KitServerClass<M>,
  manifest: M,
  options: HandlerOptions = {},
): SlipwayHandler | SlipwayStreamingHandler {
  return createHandlerForInstance(new Server(manifest), options);
}

/**
 * The handler around a ready-made server instance: what SvelteKit 3's
 * `builder.generateServerInstance` writes (`export const server`), and what `createHandler` makes
 * from SvelteKit 2's `Server` class and manifest. Where the runtime supports response streaming it
 * streams (`awslambda.streamifyResponse`); elsewhere it returns buffered results, refusing one over
 * Lambda's buffered limit (see responseToResult).
 */
export function createHandlerForInstance(server: KitServer, options: HandlerOptions = {}): SlipwayHandler | SlipwayStreamingHandler {
  const start = () => server.init({ env: stringEnv(), ...(options.read ? { read: options.read } : {}) });
  // Begun at once, as adapter-node does before it listens: in Lambda's init phase, and locally while
  // the worker is started ahead of the first request. A failure is that request's to report.
  let ready: Promise<void> | undefined = start();
  ready.catch(() => undefined);

  const init = (): Promise<void> => {
    const attempt = (ready ??= start());
    return attempt.catch((error: unknown) => {
      if (ready === attempt) ready = undefined; // let the next invocation try again
      throw error;
    });
  };

  const respond = async (event: APIGatewayProxyEventV2, context: Context | undefined): Promise<Response> => {
    await init();
    const request = eventToRequest(event);
    const platform: SlipwayPlatform = { event, context };
    const response = await server.respond(request, {
      getClientAddress: () => event.requestContext.http.sourceIp,
      platform,
    });
    return withProxyHeaders(response);
  };

  const runtime = streamingRuntime();
  if (runtime) {
    return runtime.streamifyResponse(async function handler(
      event: APIGatewayProxyEventV2,
      responseStream: LambdaResponseStream,
      context?: Context,
    ) {
      await writeToResponseStream(runtime, responseStream, await respond(event, context));
    });
  }
  return async function handler(event: APIGatewayProxyEventV2, context?: Context) {
    return responseToResult(await respond(event, context));
  };
}
