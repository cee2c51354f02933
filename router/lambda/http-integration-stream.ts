import type { Readable } from 'node:stream';
import * as v from 'valibot';
import type { CompleteResult, FunctionResponse } from '../../handlers/lib/function-response.js';

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

/** The status, headers and cookies a metadata prelude gives. */
type Head = Omit<CompleteResult, 'body'>;

/** Parses the prelude's JSON (the bytes before the delimiter); throws an error saying what is wrong. */
function parsePrelude(bytes: Uint8Array): Head {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch (error) {
    throw new Error(`invalid metadata prelude: ${(error as Error).message}`);
  }
  const parsed = v.safeParse(PreludeSchema, json);
  if (!parsed.success) {
    const issue = parsed.issues[0];
    const path = issue?.path?.map((item) => String(item.key)).join('.');
    throw new Error(`invalid metadata prelude: ${path ? `${path}: ` : ''}${issue?.message ?? 'not an object'}`);
  }
  const prelude = parsed.output;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(prelude.headers ?? {})) headers[name] = String(value);
  return { statusCode: prelude.statusCode, headers, ...(prelude.cookies ? { cookies: prelude.cookies } : {}) };
}

/**
 * The response a whole stream makes, when all of it arrived at once (the function ended the stream
 * in the same breath as it began it): read as `readHttpIntegrationStream` reads it, without a
 * stream. Throws when the prelude is missing or invalid.
 */
export function readCompleteHttpIntegration(contentType: string | undefined, bytes: Uint8Array): CompleteResult {
  if (contentType !== HTTP_INTEGRATION_CONTENT_TYPE) {
    return { statusCode: 200, headers: { 'content-type': contentType || 'application/octet-stream' }, body: bytes };
  }
  const whole = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const at = delimiterAt(whole);
  if (at > MAX_PRELUDE_BYTES || (at === -1 && whole.length > MAX_PRELUDE_BYTES))
    throw new Error(`the response stream's metadata prelude exceeds ${MAX_PRELUDE_BYTES} bytes`);
  if (at === -1) throw new Error('the function ended its response stream before the end of the metadata prelude');
  return { ...parsePrelude(whole.subarray(0, at)), body: whole.subarray(at + DELIMITER_LENGTH) };
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
      let parsedHead: Head;
      try {
        parsedHead = parsePrelude(head.subarray(0, at));
      } catch (error) {
        fail(error as Error);
        return;
      }
      // What came after the delimiter is the body's start: back to the front of the stream.
      const rest = head.subarray(at + DELIMITER_LENGTH);
      if (rest.length > 0) source.unshift(rest);
      resolve({ ...parsedHead, body: source });
    };
    source.on('data', onData);
    source.on('end', onEnd);
    source.on('error', fail);
  });
}
