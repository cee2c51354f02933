/** ANSI colour and cursor sequences: a build tool's decoration, not text to show. */
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;?]*[A-Za-z]`, 'g');

/**
 * A build log as lines, filled chunk by chunk: a chunk may end inside a line, which the next one
 * completes. A plain array (not reactive state): a 50,000-line log is read by index, never copied.
 */
export class LogLines {
  private readonly complete: string[] = [];
  private partial = '';

  append(chunk: string): void {
    const parts = (this.partial + chunk.replace(ANSI, '').replace(/\r\n?/g, '\n')).split('\n');
    this.partial = parts.pop() ?? '';
    for (const part of parts) this.complete.push(part);
  }

  get count(): number {
    return this.complete.length + (this.partial ? 1 : 0);
  }

  /** Line `index` (from 0); the unfinished last line too. */
  at(index: number): string {
    return index < this.complete.length ? (this.complete[index] ?? '') : this.partial;
  }

  /** The indexes of the lines that contain `query`, case-insensitively. */
  find(query: string): number[] {
    const needle = query.toLowerCase();
    const found: number[] = [];
    if (!needle) return found;
    for (let i = 0; i < this.count; i++) if (this.at(i).toLowerCase().includes(needle)) found.push(i);
    return found;
  }
}

/** A line cut into the runs that match `query` (case-insensitively) and those that do not, for highlighting. */
export function highlight(text: string, query: string): Array<{ text: string; match: boolean }> {
  if (!query) return [{ text, match: false }];
  const lower = text.toLowerCase();
  const needle = query.toLowerCase();
  const runs: Array<{ text: string; match: boolean }> = [];
  let from = 0;
  for (let at = lower.indexOf(needle); at !== -1; at = lower.indexOf(needle, at + needle.length)) {
    if (at > from) runs.push({ text: text.slice(from, at), match: false });
    runs.push({ text: text.slice(at, at + needle.length), match: true });
    from = at + needle.length;
  }
  if (from < text.length) runs.push({ text: text.slice(from), match: false });
  return runs;
}
