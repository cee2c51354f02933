import { createHash, timingSafeEqual } from 'node:crypto';

/** Compares two secrets through their digests, so neither length nor content leaks through timing. */
export function sameSecret(expected: string, given: string | undefined): boolean {
  if (given === undefined) return false;
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(expected), digest(given));
}
