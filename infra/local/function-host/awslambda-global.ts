import type { Writable } from 'node:stream';
import { HTTP_INTEGRATION_CONTENT_TYPE } from '../../../router/lambda/http-integration-stream.js';

/**
 * The `awslambda` global of Lambda's Node.js runtime, as far as response streaming goes:
 * `streamifyResponse` marks a handler `(event, responseStream, context)`, and
 * `HttpResponseStream.from` makes its first write the HTTP metadata prelude. Same marks and bytes as
 * the runtime, so a function streams the same way in a local worker and on AWS.
 */
const HANDLER_STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
const STREAM_RESPONSE = 'response';
const DELIMITER_LENGTH = 8;

/** The response stream a streaming handler gets: a Writable whose content type may be set before the first write. */
export interface LambdaResponseStream extends Writable {
  setContentType(contentType: string): void;
  /** Called with the stream's own write just before its first chunk (the runtime's hook, used by HttpResponseStream). */
  _onBeforeFirstWrite?: (write: (chunk: string | Uint8Array) => void) => void;
}

export function isStreamingHandler(handler: unknown): boolean {
  return typeof handler === 'function' && (handler as unknown as Record<symbol, unknown>)[HANDLER_STREAMING] === STREAM_RESPONSE;
}

const awslambda = {
  streamifyResponse<H extends (...args: never[]) => unknown>(handler: H): H {
    (handler as unknown as Record<symbol, unknown>)[HANDLER_STREAMING] = STREAM_RESPONSE;
    return handler;
  },
  HttpResponseStream: {
    from(stream: LambdaResponseStream, prelude: Record<string, unknown>): LambdaResponseStream {
      stream.setContentType(HTTP_INTEGRATION_CONTENT_TYPE);
      const metadata = JSON.stringify(prelude);
      stream._onBeforeFirstWrite = (write) => {
        write(metadata);
        write(new Uint8Array(DELIMITER_LENGTH));
      };
      return stream;
    },
  },
};

export function installAwsLambdaGlobal(): void {
  (globalThis as { awslambda?: unknown }).awslambda = awslambda;
}
