import { connect } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  /** The body, de-chunked; empty for an event stream (only its headers are awaited). */
  text: string;
}

/** How a raw request frames its body: no length at all, `Content-Length: 0`, or chunked. */
export type BodyFraming = { kind: 'none' } | { kind: 'length-zero' } | { kind: 'chunked'; chunks: string[] };

/**
 * One HTTP/1.1 request written byte for byte on a socket, so the framing is exactly what is under
 * test (fetch and node:http both add a Content-Length of their own). The connection is closed by
 * the server after the answer (`Connection: close`).
 */
export function rawRequest(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
  framing: BodyFraming,
): Promise<RawResponse> {
  const lines = [`${method} ${path} HTTP/1.1`, 'host: localhost', 'connection: close'];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  let body = '';
  if (framing.kind === 'length-zero') lines.push('content-length: 0');
  if (framing.kind === 'chunked') {
    lines.push('transfer-encoding: chunked');
    body = framing.chunks.map((chunk) => `${Buffer.byteLength(chunk).toString(16)}\r\n${chunk}\r\n`).join('') + '0\r\n\r\n';
  }
  const request = `${lines.join('\r\n')}\r\n\r\n${body}`;

  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`${method} ${path} (${framing.kind}): no complete answer within 10 s`));
    }, 10_000);
    const finish = (eventStream: boolean) => {
      clearTimeout(timer);
      try {
        resolve(parseResponse(Buffer.concat(received), eventStream));
      } catch (error) {
        reject(new Error(`${method} ${path} (${framing.kind}): ${(error as Error).message}`));
      }
    };
    socket.on('data', (chunk: Buffer) => {
      received.push(chunk);
      const head = Buffer.concat(received).toString('latin1');
      // A log stream stays open: its status and headers are the answer.
      if (head.includes('\r\n\r\n') && /^content-type:\s*text\/event-stream/im.test(head.slice(0, head.indexOf('\r\n\r\n')))) {
        socket.destroy();
        finish(true);
      }
    });
    socket.on('end', () => finish(false));
    // The server may answer (e.g. 413) and close before it has read all of a body.
    socket.on('error', (error: NodeJS.ErrnoException) =>
      error.code === 'ECONNRESET' && received.length > 0 ? finish(false) : reject(error),
    );
    socket.write(request);
  });
}

function parseResponse(raw: Buffer, eventStream: boolean): RawResponse {
  const end = raw.indexOf('\r\n\r\n');
  if (end === -1) throw new Error(`incomplete answer: ${JSON.stringify(raw.toString('utf8').slice(0, 200))}`);
  const [statusLine, ...headerLines] = raw.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '')?.[1]);
  if (!status) throw new Error(`not an HTTP status line: ${JSON.stringify(statusLine)}`);
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = eventStream ? Buffer.alloc(0) : raw.subarray(end + 4);
  if (headers['transfer-encoding'] === 'chunked') body = dechunk(body);
  return { status, headers, text: body.toString('utf8') };
}

function dechunk(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let rest = body;
  for (;;) {
    const lineEnd = rest.indexOf('\r\n');
    if (lineEnd === -1) break;
    const size = parseInt(rest.subarray(0, lineEnd).toString('latin1'), 16);
    if (!size) break;
    parts.push(rest.subarray(lineEnd + 2, lineEnd + 2 + size));
    rest = rest.subarray(lineEnd + 2 + size + 2);
  }
  return Buffer.concat(parts);
}
