import { stripVTControlCharacters } from 'node:util';

/**
 * Whether to draw on this stream (a spinner, colour): a terminal that is not `dumb`, no NO_COLOR,
 * not under CI (where a terminal is often faked and animation only clutters the log). Everything
 * else gets plain lines without escape codes.
 */
export function isFancy(stream: NodeJS.WriteStream): boolean {
  return Boolean(stream.isTTY) && !process.env.NO_COLOR && process.env.TERM !== 'dumb' && !('CI' in process.env);
}

/** Text for the stream: as is on a fancy terminal, without escape codes (a build's colours) elsewhere. */
export function forStream(stream: NodeJS.WriteStream, text: string): string {
  return isFancy(stream) ? text : stripVTControlCharacters(text);
}

/** Writes text to the stream, its escape codes removed unless the stream is a fancy terminal. */
export function write(stream: NodeJS.WriteStream, text: string): void {
  stream.write(forStream(stream, text));
}
