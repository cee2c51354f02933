import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { sameSecret } from '../lib/same-secret.js';

/** The header the dashboard distribution adds to every request for the server function (its origin custom header). */
export const ORIGIN_SECRET_HEADER = 'x-slipway-origin-secret';
/** The host the viewer asked for, set by the distribution's viewer-request function (handlers/dashboard/viewer-request.js). */
export const VIEWER_HOST_HEADER = 'x-slipway-host';
const TAG_PREFIX = 'x-slipway-';

function refusal(statusCode: number, message: string): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
    body: JSON.stringify({ error: { code: statusCode === 403 ? 'Forbidden' : 'Misconfigured', message } }),
  };
}

/**
 * What the built dashboard app sees of a request the distribution forwarded: the viewer's host in
 * `host` and `requestContext.domainName`, `x-forwarded-proto: https` (the distribution redirects
 * plain HTTP), no `x-slipway-*` header. Its load functions then fetch `https://<that host>/api/...`
 * (the distribution's `/api/*`), the only place SvelteKit forwards the session cookie to, and its
 * form actions' Origin check compares against the host the browser used.
 *
 * A function URL behind origin access control would need browsers to sign POST bodies
 * (x-amz-content-sha256), so the URL's auth type is NONE and this origin secret is the guard:
 * a request without it (anyone calling the function URL directly) is refused before the app runs.
 */
export function viewerEvent(
  event: APIGatewayProxyEventV2,
  originSecret: string | undefined,
): { event: APIGatewayProxyEventV2 } | { refusal: APIGatewayProxyStructuredResultV2 } {
  if (!originSecret) return { refusal: refusal(500, 'the dashboard function has no SLIPWAY_ORIGIN_SECRET configured') };
  const tags: Record<string, string> = {};
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    if (lower.startsWith(TAG_PREFIX)) tags[lower] = value;
    else if (lower !== 'host' && lower !== 'x-forwarded-proto') headers[lower] = value;
  }
  if (!sameSecret(originSecret, tags[ORIGIN_SECRET_HEADER]))
    return { refusal: refusal(403, 'requests must come through the dashboard distribution (origin secret missing or wrong)') };
  const host = tags[VIEWER_HOST_HEADER];
  if (!host) return { refusal: refusal(403, `requests must come through the dashboard distribution (${VIEWER_HOST_HEADER} missing)`) };
  headers.host = host;
  headers['x-forwarded-proto'] = 'https';
  return {
    event: {
      ...event,
      headers,
      requestContext: { ...event.requestContext, domainName: host, domainPrefix: host.split('.')[0] ?? host },
    },
  };
}
