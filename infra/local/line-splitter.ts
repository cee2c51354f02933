/** Splits a byte stream into lines, calling `onLine` for each complete one (and the rest at `end`). */
export function lineSplitter(onLine: (line: string) => void): { push(chunk: Buffer): void; end(): void } {
  let rest = '';
  return {
    push(chunk) {
      rest += chunk.toString('utf8');
      let index: number;
      while ((index = rest.indexOf('\n')) >= 0) {
        onLine(rest.slice(0, index).replace(/\r$/, ''));
        rest = rest.slice(index + 1);
      }
    },
    end() {
      if (rest) onLine(rest);
      rest = '';
    },
  };
}

/** Calls `onLine` for each line of a stream, the last one when the stream ends. */
export function forwardLines(stream: NodeJS.ReadableStream | null, onLine: (line: string) => void): void {
  if (!stream) return;
  const lines = lineSplitter(onLine);
  stream.on('data', (chunk: Buffer) => lines.push(chunk));
  stream.on('end', () => lines.end());
}
