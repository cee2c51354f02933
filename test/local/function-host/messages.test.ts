import { describe, expect, it } from 'vitest';
import { parseWorkerMessage } from '../../../infra/local/function-host/messages.js';
import { unbatch } from '../../../infra/local/function-host/outbox.js';

/** What a worker (tenant code) may send its host: each message is checked against the shape its key names. */
describe('messages from a function worker', () => {
  it('takes the shapes a worker sends', () => {
    const bytes = new Uint8Array([1, 2, 3]);
    expect(parseWorkerMessage({ ready: true })).toEqual({ ok: true, message: { ready: true } });
    expect(parseWorkerMessage({ id: 1, stream: { start: 'text/plain', bytes, end: true } })).toEqual({
      ok: true,
      message: { id: 1, stream: { start: 'text/plain', bytes, end: true } },
    });
    expect(parseWorkerMessage({ id: 2, result: { statusCode: 204 } })).toMatchObject({ ok: true });
    expect(parseWorkerMessage({ id: 3, error: { name: 'Error', message: 'x' } })).toMatchObject({ ok: true });
  });

  it('names the field of a bad message, so the log says what the function got wrong', () => {
    expect(parseWorkerMessage({ id: 1, stream: { bytes: 'not bytes' } })).toEqual({
      ok: false,
      issue: 'stream.bytes: bytes must be bytes',
    });
    expect(parseWorkerMessage({ id: 2, result: { statusCode: 99 } })).toMatchObject({
      ok: false,
      issue: expect.stringMatching(/^result\.statusCode: /),
    });
    expect(parseWorkerMessage({ id: 'x', error: { name: 'E', message: 'm' } })).toMatchObject({
      ok: false,
      issue: expect.stringMatching(/^id: /),
    });
    expect(parseWorkerMessage('hello')).toMatchObject({ ok: false });
  });

  it('reads a batch as its messages, and anything else as one message', () => {
    expect(unbatch({ batch: [{ ready: true }, { id: 1, stream: { end: true } }] })).toEqual([
      { ready: true },
      { id: 1, stream: { end: true } },
    ]);
    expect(unbatch({ id: 1, stream: { end: true } })).toEqual([{ id: 1, stream: { end: true } }]);
    expect(unbatch({ batch: 'not a list' })).toEqual([{ batch: 'not a list' }]);
  });
});
