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

/** What a tenant function (and so the router) answers: a buffered result or a streamed one. */
export type FunctionResponse = APIGatewayProxyStructuredResultV2 | StreamedResult;

export function isStreamed(response: FunctionResponse): response is StreamedResult {
  return response.body instanceof Readable;
}
