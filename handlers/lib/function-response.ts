import { Readable } from 'node:stream';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/**
 * A function's answer whose body arrives in parts (Lambda response streaming): the head as the
 * metadata prelude gave it, the body as the function writes it.
 */
export interface StreamedResult {
  statusCode: number;
  headers?: Record<string, string>;
  cookies?: string[];
  /** The body bytes, in the chunks the function wrote; destroying it tells the function the viewer left. */
  body: Readable;
}

/**
 * A streamed answer that was already complete when its head arrived (an ordinary page: the
 * function wrote head, body and end at once): its body as bytes, sent on in one write with a
 * Content-Length instead of piped through a stream.
 */
export interface CompleteResult {
  statusCode: number;
  headers?: Record<string, string>;
  cookies?: string[];
  body: Uint8Array;
}

/** What a tenant function (and so the router) answers: a buffered result, a streamed one, or a streamed one already complete. */
export type FunctionResponse = APIGatewayProxyStructuredResultV2 | StreamedResult | CompleteResult;

export function isStreamed(response: FunctionResponse): response is StreamedResult {
  return response.body instanceof Readable;
}

export function isComplete(response: FunctionResponse): response is CompleteResult {
  return response.body instanceof Uint8Array;
}
