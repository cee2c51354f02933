/** Stores one chunk of the build log (`builds/{buildId}/log/{seq:08d}.txt` in the build bucket). */
export type ChunkUploader = (key: string, body: string) => Promise<void>;

export interface LogStreamOptions {
  /** Key prefix of the chunks, e.g. `builds/d-1/log/`. */
  prefix: string;
  upload: ChunkUploader;
  /** Values replaced by `[redacted]` wherever they appear. */
  secrets?: string[];
  /** How often new output is flushed to a chunk. */
  intervalMs?: number;
  /** Total log bytes stored; past it one truncation notice is stored and further lines only echo. */
  maxBytes?: number;
  /** Where every (redacted) line is echoed; stdout by default. */
  echo?: (line: string) => void;
  /** Where problems of the log upload itself are reported; stderr by default. */
  warn?: (message: string) => void;
}

export const REDACTED = '[redacted]';
export const DEFAULT_LOG_INTERVAL_MS = 300;
export const DEFAULT_MAX_LOG_BYTES = 5 * 1024 * 1024;

import { buildLogChunkKey as chunkKey } from '../../handlers/lib/names.js';

export { chunkKey };

export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret) out = out.split(secret).join(REDACTED);
  return out;
}

/**
 * The live build log: lines are echoed at once and batched into numbered S3 chunks every
 * `intervalMs` when there is new output, so a reader listing with StartAfter sees chunks appear
 * in order. Uploads run one at a time; a failed upload is retried with the next batch.
 */
export class LogStream {
  private readonly prefix: string;
  private readonly upload: ChunkUploader;
  private secrets: string[];
  private readonly maxBytes: number;
  private readonly echo: (line: string) => void;
  private readonly warn: (message: string) => void;
  private readonly timer: NodeJS.Timeout;
  private pending = '';
  private stored = 0;
  private truncated = false;
  private seq = 0;
  private inFlight: Promise<void> | undefined;
  private closed = false;
  private failures = 0;

  constructor(options: LogStreamOptions) {
    this.prefix = options.prefix;
    this.upload = options.upload;
    // Longest first, so a secret containing another is replaced whole.
    this.secrets = [...new Set((options.secrets ?? []).filter((s) => s.length > 0))].sort((a, b) => b.length - a.length);
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_LOG_BYTES;
    this.echo = options.echo ?? ((line) => process.stdout.write(`${line}\n`));
    this.warn = options.warn ?? ((message) => process.stderr.write(`${message}\n`));
    this.timer = setInterval(() => void this.flush(), options.intervalMs ?? DEFAULT_LOG_INTERVAL_MS);
    this.timer.unref();
  }

  /** More values to redact from every later line (the project's secrets, known once the build config is read). */
  addSecrets(values: readonly string[]): void {
    this.secrets = [...new Set([...this.secrets, ...values.filter((s) => s.length > 0)])].sort((a, b) => b.length - a.length);
  }

  /** Number of chunks stored so far. */
  get chunks(): number {
    return this.seq;
  }

  /** Adds one line (without its newline). `force` keeps it even past the size cap (final status lines). */
  line(text: string, force = false): void {
    const clean = redact(text, this.secrets);
    this.echo(clean);
    if (this.closed) return;
    const record = `${clean}\n`;
    const size = Buffer.byteLength(record);
    if (!force && this.stored + size > this.maxBytes) {
      if (!this.truncated) {
        this.truncated = true;
        const notice = `slipway: log truncated after ${this.stored} bytes (limit ${this.maxBytes} bytes); the rest is not stored\n`;
        this.pending += notice;
        this.stored += Buffer.byteLength(notice);
      }
      return;
    }
    this.pending += record;
    this.stored += size;
  }

  /** Stores the pending output as the next chunk, unless an upload is already running. */
  flush(): Promise<void> {
    if (this.inFlight) return this.inFlight;
    if (this.pending.length === 0) return Promise.resolve();
    const body = this.pending;
    this.pending = '';
    const key = chunkKey(this.prefix, this.seq);
    this.inFlight = this.upload(key, body)
      .then(() => {
        this.seq += 1;
        this.failures = 0;
      })
      .catch((error: unknown) => {
        // Put the text back in front of what arrived meanwhile; the same seq is tried again.
        this.pending = body + this.pending;
        this.failures += 1;
        if (this.failures === 1 || this.failures % 20 === 0) {
          this.warn(`slipway: could not store log chunk ${key}: ${redact((error as Error).message, this.secrets)}`);
        }
      })
      .finally(() => {
        this.inFlight = undefined;
      });
    return this.inFlight;
  }

  /** Stops the timer and stores everything still pending (a few attempts, at most `timeoutMs`). */
  async close(timeoutMs = 30_000): Promise<void> {
    clearInterval(this.timer);
    this.closed = true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.warn(`slipway: gave up storing the log after ${timeoutMs} ms`);
        resolve();
      }, timeoutMs);
    });
    await Promise.race([this.drain(), timeout]);
    clearTimeout(timer);
  }

  private async drain(): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      if (this.inFlight) await this.inFlight;
      if (this.pending.length === 0) return;
      await this.flush();
      if (this.pending.length > 0) await new Promise((resolve) => setTimeout(resolve, 200 * (attempt + 1)));
    }
    if (this.pending.length > 0) this.warn(`slipway: ${Buffer.byteLength(this.pending)} bytes of log could not be stored`);
  }
}
