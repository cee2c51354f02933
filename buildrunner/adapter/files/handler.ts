/**
 * Lambda runtime of Slipway's SvelteKit adapter: bundled (by esbuild, in ../index.ts) together with
 * the app's SvelteKit server into `server/handler.js` of the build bundle.
 */
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

function stringEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (typeof value === 'string') env[name] = value;
  }
  return env;
}

export function createHandler<M>(Server: KitServerClass<M>, manifest: M, options: HandlerOptions = {}): SlipwayHandler {
  return createHandlerForInstance(new Server(manifest), options);
}

/**
 * The handler around a ready-made server instance: what SvelteKit 3's
 * `builder.generateServerInstance` writes (`export const server`), and what `createHandler` makes
 * from SvelteKit 2's `Server` class and manifest.
 */
export function createHandlerForInstance(server: KitServer, options: HandlerOptions = {}): SlipwayHandler {
  let ready: Promise<void> | undefined;

  const init = (): Promise<void> => {
    ready ??= server.init({ env: stringEnv(), ...(options.read ? { read: options.read } : {}) }).catch((error: unknown) => {
      ready = undefined; // let the next invocation try again
      throw error;
    });
    return ready;
  };

  return async function handler(event, context) {
    await init();
    const request = eventToRequest(event);
    const platform: SlipwayPlatform = { event, context };
    const response = await server.respond(request, {
      getClientAddress: () => event.requestContext.http.sourceIp,
      platform,
    });
    // Buffered: the full body is read before the result is returned (streaming comes later).
    return responseToResult(withProxyHeaders(response));
  };
}
