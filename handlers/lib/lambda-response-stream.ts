import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { isComplete, isStreamed, type FunctionResponse } from './function-response.js';

// Lambda response streaming for every function-URL entry that streams: the tenant router
// (router/lambda) and the dashboard's server function (handlers/dashboard) both write through it.

/** The response stream Lambda's runtime hands a streaming handler. */
export type LambdaResponseStream = Writable & { setContentType(contentType: string): void };

/** The parts of Lambda's `awslambda` global that response streaming uses. */
export interface LambdaStreamingRuntime {
  streamifyResponse<E>(
    handler: (event: E, responseStream: LambdaResponseStream, context: Context) => Promise<void>,
  ): (event: E, responseStream: LambdaResponseStream, context: Context) => Promise<void>;
  HttpResponseStream: {
    from(stream: LambdaResponseStream, prelude: { statusCode: number; headers: Record<string, string>; cookies: string[] }): Writable;
  };
}

/** `awslambda` when the runtime provides it (Lambda's Node.js runtime does; plain Node does not). */
export function lambdaStreamingRuntime(): LambdaStreamingRuntime | undefined {
  const runtime = (globalThis as { awslambda?: Partial<LambdaStreamingRuntime> }).awslambda;
  return typeof runtime?.streamifyResponse === 'function' && typeof runtime.HttpResponseStream?.from === 'function'
    ? (runtime as LambdaStreamingRuntime)
    : undefined;
}

/**
 * Writes a router answer to a function URL in RESPONSE_STREAM mode: the head as the metadata prelude
 * (every Set-Cookie in `cookies`), then the body as it arrives.
 */
export async function writeResponseStream(
  runtime: LambdaStreamingRuntime,
  responseStream: LambdaResponseStream,
  response: FunctionResponse,
): Promise<void> {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (const [name, value] of Object.entries(response.headers ?? {})) {
    if (name.toLowerCase() === 'set-cookie') cookies.push(String(value));
    else headers[name.toLowerCase()] = String(value);
  }
  cookies.push(...(response.cookies ?? []));
  const out = runtime.HttpResponseStream.from(responseStream, { statusCode: response.statusCode ?? 200, headers, cookies });
  // An empty first write sends the prelude now: the viewer gets the head before the first body byte.
  out.write(new Uint8Array(0));
  if (isStreamed(response)) {
    await pipeline(response.body, out);
    return;
  }
  if (isComplete(response)) out.end(response.body);
  else out.end(Buffer.from(response.body ?? '', response.isBase64Encoded ? 'base64' : 'utf8'));
  await new Promise<void>((resolve, reject) => {
    out.once('finish', resolve);
    out.once('error', reject);
  });
}

/** Lambda's `(event, responseStream, context)` handler around a router function. */
export type StreamingRoute = (event: APIGatewayProxyEventV2, responseStream: LambdaResponseStream, context: Context) => Promise<void>;
