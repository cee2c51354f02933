/** One server-sent event, as the EventSource rules assemble it. */
export interface SseEvent {
  event: string;
  data: string;
  id?: string;
}

/**
 * Reads a `text/event-stream` body event by event (the EventSource parsing rules: `event:`,
 * `data:` lines joined with "\n", `id:`, comment lines starting with ":" ignored, a blank line
 * dispatches). `lastEventId` is the last id seen, also across events that carry none.
 */
export async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  let buffer = '';
  let event = '';
  let data: string[] = [];
  let id: string | undefined;
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      buffer += done ? decoder.decode() : decoder.decode(value, { stream: true });
      let index: number;
      while ((index = buffer.search(/\r\n|\r|\n/)) >= 0) {
        const line = buffer.slice(0, index);
        buffer = buffer.slice(index + (buffer.startsWith('\r\n', index) ? 2 : 1));
        if (line === '') {
          if (data.length > 0) yield { event: event || 'message', data: data.join('\n'), ...(id !== undefined ? { id } : {}) };
          event = '';
          data = [];
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        let value = colon < 0 ? '' : line.slice(colon + 1);
        if (value.startsWith(' ')) value = value.slice(1);
        if (field === 'event') event = value;
        else if (field === 'data') data.push(value);
        else if (field === 'id' && !value.includes('\0')) id = value;
      }
      if (done) return;
    }
  } finally {
    reader.releaseLock();
  }
}

/** How a followed log ended: the deployment's terminal status (and why it failed). */
export interface LogEnd {
  status: string;
  failedState?: string;
  error?: string;
}

/**
 * Follows a deployment's log stream: calls `onText` with each chunk (and its event id, which is
 * also the log route's cursor after it) and resolves with the `end` event. Each reconnection sends
 * `Last-Event-ID` set to the last chunk received, so nothing is printed twice:
 * - after a `reconnect` event (the server's stream reached its time limit: a Lambda's, ~15 minutes
 *   through the log-stream function, ~24 s through the buffered HTTP API), at once and always;
 * - after a connection that dropped before `end`, up to `reconnects` times (default 1).
 */
export async function followLogStream(
  open: (lastEventId: string | undefined) => Promise<Response>,
  onText: (text: string, eventId: string | undefined) => void,
  options: { reconnects?: number } = {},
): Promise<LogEnd> {
  let lastEventId: string | undefined;
  let reconnects = options.reconnects ?? 1;
  for (;;) {
    let dropped: unknown;
    try {
      const response = await open(lastEventId);
      if (!response.body) throw new Error(`the log stream answered HTTP ${response.status} without a body`);
      dropped = new Error('the log stream closed before the deployment ended');
      for await (const message of readSse(response.body)) {
        if (message.event === 'log') {
          if (message.id !== undefined) lastEventId = message.id;
          onText(message.data, message.id);
        } else if (message.event === 'end') {
          return JSON.parse(message.data) as LogEnd;
        } else if (message.event === 'reconnect') {
          dropped = undefined;
          break;
        } else if (message.event === 'error') {
          throw new LogStreamFailed(`the log stream failed: ${message.data}`);
        }
      }
    } catch (error) {
      // The server reported the failure, or refused the request (an HTTP error status): reconnecting would not help.
      if (error instanceof LogStreamFailed || typeof (error as { status?: unknown }).status === 'number') throw error;
      dropped = error;
    }
    // The server ended its stream at its time limit: resuming is the protocol, not a failure.
    if (dropped === undefined) continue;
    if (reconnects-- <= 0) throw dropped instanceof Error ? dropped : new Error(String(dropped));
  }
}

/** The server ended the stream with `event: error`. */
export class LogStreamFailed extends Error {}
