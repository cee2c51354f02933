/**
 * The `Range` header of a static file request, read as RFC 9110 §14 says and as S3 and CloudFront
 * answer it on AWS: `bytes=0-9`, `bytes=5-` (to the end), `bytes=-5` (the last five). Of several
 * ranges the first satisfiable one is served alone, as adapter-node's file server (sirv) does (the
 * RFC lets a server send fewer parts than asked; S3 serves one range per request).
 */
export type RangeAnswer =
  /** Serve these bytes (inclusive) with 206. */
  | { start: number; end: number }
  /** No range in the file: 416 with `Content-Range: bytes *\/size`. */
  | 'unsatisfiable'
  /** Serve the whole file with 200 (no header, another unit, or a malformed one: the RFC says ignore it). */
  | undefined;

const SPEC = /^\s*(\d*)\s*-\s*(\d*)\s*$/;

export function byteRange(header: string | undefined, size: number): RangeAnswer {
  if (header === undefined) return undefined;
  const equals = header.indexOf('=');
  if (equals === -1 || header.slice(0, equals).trim().toLowerCase() !== 'bytes') return undefined;
  const specs: Array<{ first?: number; last?: number }> = [];
  for (const part of header.slice(equals + 1).split(',')) {
    const match = SPEC.exec(part);
    if (!match) return undefined;
    const [, first = '', last = ''] = match;
    if (first === '' && last === '') return undefined;
    const spec = { ...(first === '' ? {} : { first: Number(first) }), ...(last === '' ? {} : { last: Number(last) }) };
    if (spec.first !== undefined && spec.last !== undefined && spec.last < spec.first) return undefined;
    specs.push(spec);
  }
  for (const { first, last } of specs) {
    if (first === undefined) {
      // A suffix: the last `last` bytes, the whole file when it is shorter.
      if (last === undefined || last === 0 || size === 0) continue;
      return { start: Math.max(0, size - last), end: size - 1 };
    }
    if (first >= size) continue;
    return { start: first, end: last === undefined ? size - 1 : Math.min(last, size - 1) };
  }
  return 'unsatisfiable';
}
