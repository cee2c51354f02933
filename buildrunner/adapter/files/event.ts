/**
 * Pure conversions between API Gateway HTTP API (payload v2) / Lambda function URL events and the
 * Web `Request` / `Response` objects SvelteKit's `Server` speaks. No I/O, no globals: unit-testable.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/** The public URL of the request: proto and host come from the (router-restored) headers. */
export function eventUrl(event: APIGatewayProxyEventV2): string {
  const headers = lowerCaseHeaders(event.headers);
  const proto = (headers['x-forwarded-proto'] ?? 'https').split(',')[0]!.trim() || 'https';
  const host = headers.host ?? event.requestContext.domainName;
  const path = event.rawPath || '/';
  const query = event.rawQueryString ? `?${event.rawQueryString}` : '';
  return `${proto}://${host}${path}${query}`;
}

/** API Gateway lower-cases header names already; function URLs and tests may not. */
function lowerCaseHeaders(headers: APIGatewayProxyEventV2['headers'] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value !== undefined) out[name.toLowerCase()] = value;
  }
  return out;
}

export function eventBody(event: APIGatewayProxyEventV2): Buffer | undefined {
  if (event.body === undefined || event.body === null) return undefined;
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
}

/** Builds the Web Request for an event: method, every header, the `cookies` array as one Cookie header, the decoded body. */
export function eventToRequest(event: APIGatewayProxyEventV2): Request {
  const method = (event.requestContext.http.method || 'GET').toUpperCase();
  const headers = new Headers();
  for (const [name, value] of Object.entries(lowerCaseHeaders(event.headers))) {
    headers.set(name, value);
  }
  // Payload v2 moves the Cookie header into `cookies`; put it back the way a browser sends it.
  if (event.cookies && event.cookies.length > 0) headers.set('cookie', event.cookies.join('; '));

  const init: RequestInit = { method, headers };
  if (method !== 'GET' && method !== 'HEAD') {
    const body = eventBody(event);
    if (body !== undefined) init.body = new Uint8Array(body);
  }
  return new Request(eventUrl(event), init);
}

const TEXTUAL = /^text\/|json|javascript|ecmascript|xml|svg|x-www-form-urlencoded/i;

/** True when a body of this content type can travel as UTF-8 text rather than base64. */
export function isTextContentType(contentType: string | null | undefined): boolean {
  if (!contentType) return false;
  const [type = '', ...params] = contentType.split(';');
  if (!TEXTUAL.test(type.trim())) return false;
  const charset = params
    .map((param) => param.trim().toLowerCase())
    .find((param) => param.startsWith('charset='))
    ?.slice('charset='.length)
    .replace(/^"|"$/g, '');
  // A body in another charset would be mangled by decoding it as UTF-8: send its bytes instead.
  return charset === undefined || charset === 'utf-8' || charset === 'utf8' || charset === 'us-ascii';
}

/** Lambda's limit on a buffered (not streamed) response: 6 MB of JSON payload. */
export const BUFFERED_RESPONSE_LIMIT_BYTES = 6 * 1024 * 1024;

/**
 * The headers adapter-node adds to what the SvelteKit server answered: `x-accel-buffering: no` on
 * a `text/event-stream` response, so a buffering proxy in front passes server-sent events through.
 */
export function withProxyHeaders(response: Response): Response {
  if (response.headers.get('content-type') !== 'text/event-stream') return response;
  try {
    response.headers.set('x-accel-buffering', 'no');
    return response;
  } catch {
    // A fetched Response passed through has immutable headers: copy them.
    const headers = new Headers(response.headers);
    headers.set('x-accel-buffering', 'no');
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
  }
}

/**
 * Converts a Web Response into the structured v2 result, for a runtime without response streaming:
 * the whole body is read first. A result over Lambda's 6 MB buffered limit (a binary body counts
 * as base64) is refused with an error naming both sizes, rather than failing somewhere downstream.
 */
export async function responseToResult(response: Response): Promise<APIGatewayProxyStructuredResultV2> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();

  const result: APIGatewayProxyStructuredResultV2 = { statusCode: response.status, headers };
  if (cookies.length > 0) result.cookies = cookies;

  if (response.body === null) {
    result.body = '';
    result.isBase64Encoded = false;
    return result;
  }
  const bytes = Buffer.from(await response.arrayBuffer());
  if (isTextContentType(response.headers.get('content-type')) || bytes.length === 0) {
    result.body = bytes.toString('utf8');
    result.isBase64Encoded = false;
  } else {
    result.body = bytes.toString('base64');
    result.isBase64Encoded = true;
  }
  const payloadBytes = Buffer.byteLength(JSON.stringify(result));
  if (payloadBytes > BUFFERED_RESPONSE_LIMIT_BYTES) {
    const error = new Error(
      `the response to this request is ${payloadBytes} bytes as a buffered Lambda result (a body of ${bytes.length} bytes${result.isBase64Encoded ? ', base64-encoded' : ''}), over Lambda's limit of ${BUFFERED_RESPONSE_LIMIT_BYTES} bytes (6 MB) for a buffered response; a runtime with response streaming sends it as it is`,
    );
    error.name = 'ResponseTooLarge';
    throw error;
  }
  return result;
}
