import type { Readable } from 'node:stream';
import * as v from 'valibot';
import type { FunctionResponse } from '../function-response.js';

/**
 * Lambda's response-stream shape for HTTP (what `awslambda.HttpResponseStream.from` writes): the
 * stream's content type says so, the bytes start with a JSON prelude `{ statusCode, headers, cookies }`
 * and 8 NUL bytes, and the rest is the body. Read the same way from `InvokeWithResponseStream` on AWS
 * and from a local function worker.
 */
export const HTTP_INTEGRATION_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';
const DELIMITER_LENGTH = 8;
/** A prelude is a status and headers; anything this long without the delimiter is not one. */
const MAX_PRELUDE_BYTES = 1024 * 1024;

const PreludeSchema = v.object({
  statusCode: v.optional(v.pipe(v.number(), v.integer(), v.minValue(100), v.maxValue(599)), 200),
  headers: v.optional(v.record(v.string(), v.union([v.string(), v.number(), v.boolean()]))),
  cookies: v.optional(v.array(v.string())),
});

/** Where the 8-NUL delimiter starts in `bytes`, or -1. */
function delimiterAt(bytes: Buffer): number {
  let run = 0;
  for (let index = 0; index < bytes.length; index++) {
    run = bytes[index] === 0 ? run + 1 : 0;
    if (run === DELIMITER_LENGTH) return index - DELIMITER_LENGTH + 1;
  }
  return -1;
}

/**
 * Resolves with the response once its prelude has arrived; the body keeps flowing from `source`
 * after that. A stream of another content type has no prelude: it is the body of a 200 of that type.
 * Rejects when the source fails or ends before the prelude is complete.
 */
export function readHttpIntegrationStream(contentType: string | undefined, source: Readable): Promise<FunctionResponse> {
  if (contentType !== HTTP_INTEGRATION_CONTENT_TYPE) {
    return Promise.resolve({
      statusCode: 200,
      headers: { 'content-type': contentType || 'application/octet-stream' },
      body: source,
    });
  }
  return new Promise((resolve, reject) => {
    let head = Buffer.alloc(0);
    const fail = (error: Error): void => {
      source.off('data', onData);
      source.off('end', onEnd);
      source.off('error', fail);
      source.destroy();
      reject(error);
    };
    const onEnd = (): void => fail(new Error('the function ended its response stream before the end of the metadata prelude'));
    const onData = (chunk: Buffer): void => {
      // The delimiter may straddle chunks: search all the bytes gathered so far.
      head = Buffer.concat([head, chunk]);
      const at = delimiterAt(head);
      if (at === -1) {
        if (head.length > MAX_PRELUDE_BYTES) fail(new Error(`the response stream's metadata prelude exceeds ${MAX_PRELUDE_BYTES} bytes`));
        return;
      }
      source.off('data', onData);
      source.off('end', onEnd);
      source.off('error', fail);
      source.pause();
      let prelude: v.InferOutput<typeof PreludeSchema>;
      try {
        const parsed = v.safeParse(PreludeSchema, JSON.parse(head.subarray(0, at).toString('utf8')));
        if (!parsed.success) {
          const issue = parsed.issues[0];
          const path = issue?.path?.map((item) => String(item.key)).join('.');
          throw new Error(`invalid metadata prelude: ${path ? `${path}: ` : ''}${issue?.message ?? 'not an object'}`);
        }
        prelude = parsed.output;
      } catch (error) {
        fail(error instanceof SyntaxError ? new Error(`invalid metadata prelude: ${error.message}`) : (error as Error));
        return;
      }
      // What came after the delimiter is the body's start: back to the front of the stream.
      const rest = head.subarray(at + DELIMITER_LENGTH);
      if (rest.length > 0) source.unshift(rest);
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(prelude.headers ?? {})) headers[name] = String(value);
      resolve({ statusCode: prelude.statusCode, headers, ...(prelude.cookies ? { cookies: prelude.cookies } : {}), body: source });
    };
    source.on('data', onData);
    source.on('end', onEnd);
    source.on('error', fail);
  });
}
