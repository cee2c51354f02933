import { describe, expect, it } from 'vitest';
import { byteRange } from '../../../infra/local/edge/byte-range.js';

describe('byteRange (RFC 9110, as S3 and CloudFront read Range)', () => {
  const size = 24;
  it.each([
    ['bytes=0-9', { start: 0, end: 9 }],
    ['bytes=5-', { start: 5, end: 23 }],
    ['bytes=10-999', { start: 10, end: 23 }],
    ['bytes=-5', { start: 19, end: 23 }],
    ['bytes=-100', { start: 0, end: 23 }],
    ['bytes=0-0', { start: 0, end: 0 }],
    ['Bytes = 2-3', { start: 2, end: 3 }],
    // Several ranges: the first satisfiable one alone, as sirv serves them.
    ['bytes=0-1,5-6', { start: 0, end: 1 }],
    ['bytes=99-,5-6', { start: 5, end: 6 }],
  ])('%s → the bytes it names', (header, expected) => {
    expect(byteRange(header, size)).toEqual(expected);
  });

  it.each(['bytes=24-', 'bytes=99-100', 'bytes=-0', 'bytes=30-,40-'])('%s → unsatisfiable (416)', (header) => {
    expect(byteRange(header, size)).toBe('unsatisfiable');
  });

  it('a suffix of an empty file is unsatisfiable', () => {
    expect(byteRange('bytes=-5', 0)).toBe('unsatisfiable');
  });

  it.each([undefined, 'items=0-2', 'bytes=5-2', 'bytes=a-b', 'bytes=-', 'bytes=', 'bytes=0-1,x'])(
    '%s → ignored: the whole file (200)',
    (header) => {
      expect(byteRange(header, size)).toBeUndefined();
    },
  );
});
