import { Writable } from 'node:stream';
import type { LambdaResponseStream } from './awslambda-global.js';
import type { WorkerMessage } from './messages.js';

type Send = (message: WorkerMessage, sent?: (error: Error | null) => void) => void;

/**
 * The response stream a streaming handler writes to in a function worker: each write goes to the
 * host as one `{ id, chunk }` message, as bytes, and the next write waits until the channel took it
 * and, while the host says the viewer is behind (paused), until it catches up.
 */
export class WorkerResponseStream extends Writable implements LambdaResponseStream {
  _onBeforeFirstWrite?: (write: (chunk: string | Uint8Array) => void) => void;
  private contentType = 'application/octet-stream';
  private started = false;
  private paused = false;
  /** The write held back while paused. */
  private held?: () => void;

  constructor(
    private readonly id: number,
    private readonly send: Send,
  ) {
    super();
  }

  setContentType(contentType: string): void {
    this.contentType = contentType;
  }

  setPaused(paused: boolean): void {
    this.paused = paused;
    if (paused) return;
    const held = this.held;
    this.held = undefined;
    held?.();
  }

  /** Tells the host a stream begins, then sends what the first-write hook (the prelude) writes. */
  private start(): void {
    if (this.started) return;
    this.started = true;
    this.send({ id: this.id, streamStart: this.contentType });
    // The prelude comes as several writes (head, then its NUL separator): one message carries them.
    const prelude: Uint8Array[] = [];
    this._onBeforeFirstWrite?.((chunk) => prelude.push(bytesOf(chunk)));
    if (prelude.length > 0) this.send({ id: this.id, chunk: Buffer.concat(prelude) });
  }

  override _write(chunk: unknown, encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.start();
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, encoding) : (chunk as Uint8Array);
    if (bytes.length === 0) {
      done();
      return;
    }
    const send = (): void => this.send({ id: this.id, chunk: bytes }, (error) => done(error));
    if (this.paused) this.held = send;
    else send();
  }

  override _final(done: (error?: Error | null) => void): void {
    this.start();
    this.send({ id: this.id, streamEnd: true }, (error) => done(error));
  }
}

function bytesOf(chunk: string | Uint8Array): Uint8Array {
  return typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
}
