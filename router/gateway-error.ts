import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/** The response header naming the request, on the visitor's error page and in the log line beside it. */
export const REQUEST_ID_HEADER = 'x-slipway-request-id';

const REASONS = { 502: 'Bad Gateway', 504: 'Gateway Timeout' } as const;
const WHAT = { 502: 'the application failed to answer', 504: 'the application did not answer in time' } as const;

/**
 * What a visitor sees when a tenant's function fails or times out, on both back ends: the status
 * and a request id, never the error text (it may hold the function's configuration or secrets; it
 * goes to the function's log under the same request id).
 */
export function gatewayErrorPage(status: 502 | 504, requestId: string): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: status,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', [REQUEST_ID_HEADER]: requestId },
    body: `${status} ${REASONS[status]} — ${WHAT[status]} (request id ${requestId})\n`,
  };
}

/** The event's request id (API Gateway's, the function URL's, or the local edge's), or a fresh one when it has none fit for a header. */
export function requestIdOf(event: { requestContext?: { requestId?: string } }): string {
  const id = event.requestContext?.requestId;
  return id && /^[A-Za-z0-9._-]{1,128}$/.test(id) ? id : randomUUID();
}
