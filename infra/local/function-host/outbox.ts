import type { Serializable } from 'node:child_process';

/**
 * Messages for the other end of a worker's IPC channel, gathered per turn of the event loop and
 * sent as one `{ batch: [...] }` message when there are several. Under load many requests finish
 * (or arrive) in the same turn; one pipe write and one serialization for all of them instead of one
 * apiece was a tenth of a worker's CPU per server-rendered page.
 */
export type ChannelWrite = (message: Serializable, sent: (error: Error | null) => void) => void;
export type Sent = (error: Error | null) => void;

export interface Batch {
  batch: unknown[];
}

export function isBatch(message: unknown): message is Batch {
  return message !== null && typeof message === 'object' && Array.isArray((message as { batch?: unknown }).batch);
}

/** The messages one received message carries: a batch's items, else the message itself. */
export function unbatch(message: unknown): unknown[] {
  return isBatch(message) ? message.batch : [message];
}

export class Outbox {
  private messages: Serializable[] = [];
  private callbacks: Sent[] = [];
  /** Asked for their messages just before a flush: a stream gathers its writes until then. */
  private contributors = new Set<() => void>();
  private scheduled = false;

  constructor(private readonly write: ChannelWrite) {}

  /** Queues a message; `sent` is called once the channel took the batch it went out in. */
  send(message: Serializable, sent?: Sent): void {
    this.messages.push(message);
    if (sent) this.callbacks.push(sent);
    this.schedule();
  }

  /** Calls `contribute` (once, however often asked) just before the next flush, to queue what it gathered. */
  request(contribute: () => void): void {
    this.contributors.add(contribute);
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    // Still marked scheduled while contributors queue their messages: they go out in this write.
    const contributors = [...this.contributors];
    this.contributors.clear();
    for (const contribute of contributors) contribute();
    this.scheduled = false;
    const [first, ...more] = this.messages;
    if (first === undefined) return;
    const messages = this.messages;
    const callbacks = this.callbacks;
    this.messages = [];
    this.callbacks = [];
    this.write(more.length === 0 ? first : { batch: messages }, (error) => {
      for (const sent of callbacks) sent(error);
    });
  }
}
