import { distance } from 'fastest-levenshtein';

/**
 * The candidate closest to a mistyped word, when it is close enough to be what was meant: at most a
 * third of the word's letters apart (`projct` → `project`, `deplyo` → `deploy`), else undefined.
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const d = distance(word.toLowerCase(), candidate.toLowerCase());
    if (!best || d < best.distance) best = { candidate, distance: d };
  }
  return best && best.distance <= Math.max(1, Math.floor(word.length / 3)) ? best.candidate : undefined;
}
