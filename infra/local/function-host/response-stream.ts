import { Writable } from 'node:stream';
import type { LambdaResponseStream } from './awslambda-global.js';
import type { WorkerMessage } from './messages.js';
import type { Outbox } from './outbox.js';

/** Bytes gathered before a write waits for them to reach the host (the stream's backpressure). */
const HIGH_WATER_BYTES = 64 * 1024;

/**
 * The response stream a streaming handler writes to in a function worker. What the handler writes
 * in one turn of the event loop goes to the host as one `{ id, stream }` message (in the worker's
 * outbox, with other requests' messages of that turn): the start (its content type), the bytes
 * (the prelude first), and the end. An ordinary page (head, body and end
 * written at once) is one message, where each part as its own message cost a pipe write apiece;
 * a streamed page sends its shell at once and each later chunk as it comes. Writes wait while more
 * than HIGH_WATER_BYTES are on their way, and while the host says the viewer is behind (paused).
 */
export class WorkerResponseStream extends Writable implements LambdaResponseStream {
  _onBeforeFirstWrite?: (write: (chunk: string | Uint8Array) => void) => void;
  private contentType = 'application/octet-stream';
  private started = false;
  private startSent = false;
  private ending = false;
  private paused = false;
  private parts: Uint8Array[] = [];
  private gathered = 0;
  /** Callbacks of the writes (and the final) that wait until what they gave has been sent. */
  private waiting: Array<(error?: Error | null) => void> = [];

  constructor(
    private readonly id: number,
    private readonly outbox: Outbox,
  ) {
    super();
  }

  private readonly contribute = (): void => this.flush();

  setContentType(contentType: string): void {
    this.contentType = contentType;
  }

  setPaused(paused: boolean): void {
    this.paused = paused;
    if (!paused) this.scheduleFlush();
  }

  /** Takes the prelude that the first-write hook writes (head, then its NUL separator) ahead of the first bytes. */
  private start(): void {
    if (this.started) return;
    this.started = true;
    this._onBeforeFirstWrite?.((chunk) => this.gather(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk));
  }

  private gather(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.parts.push(bytes);
    this.gathered += bytes.length;
  }

  private scheduleFlush(): void {
    this.outbox.request(this.contribute);
  }

  private flush(): void {
    if (this.destroyed || this.paused) return;
    const pendingStart = this.started && !this.startSent;
    if (!pendingStart && this.parts.length === 0 && !this.ending) return;
    const bytes = this.parts.length === 1 ? this.parts[0] : this.parts.length > 1 ? Buffer.concat(this.parts) : undefined;
    const end = this.ending;
    this.startSent = true;
    this.parts = [];
    this.gathered = 0;
    this.ending = false;
    const waiting = this.waiting;
    this.waiting = [];
    const message: WorkerMessage = {
      id: this.id,
      stream: { ...(pendingStart ? { start: this.contentType } : {}), ...(bytes ? { bytes } : {}), ...(end ? { end: true as const } : {}) },
    };
    this.outbox.send(message, (error) => {
      for (const done of waiting) done(error);
    });
  }

  override _write(chunk: unknown, encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.start();
    this.gather(typeof chunk === 'string' ? Buffer.from(chunk, encoding) : (chunk as Uint8Array));
    this.scheduleFlush();
    if (this.paused || this.gathered >= HIGH_WATER_BYTES) this.waiting.push(done);
    else done();
  }

  override _final(done: (error?: Error | null) => void): void {
    this.start();
    this.ending = true;
    this.waiting.push(done);
    this.scheduleFlush();
  }
}
