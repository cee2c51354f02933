import { afterEach, describe, expect, it, vi } from 'vitest';
import { chunkKey, LogStream, redact, REDACTED } from '../../buildrunner/runner/log-stream.js';

interface Stored {
  key: string;
  body: string;
}

function fakeStore(options: { failFirst?: number } = {}) {
  const stored: Stored[] = [];
  let failures = options.failFirst ?? 0;
  const upload = vi.fn(async (key: string, body: string) => {
    if (failures > 0) {
      failures -= 1;
      throw new Error('S3 is down');
    }
    stored.push({ key, body });
  });
  return { stored, upload };
}

const quiet = { echo: () => {}, warn: () => {} };

afterEach(() => {
  vi.useRealTimers();
});

describe('log stream', () => {
  it('names chunks with an 8-digit sequence number', () => {
    expect(chunkKey('builds/d-1/log/', 0)).toBe('builds/d-1/log/00000000.txt');
    expect(chunkKey('builds/d-1/log/', 123)).toBe('builds/d-1/log/00000123.txt');
  });

  it('batches lines into a chunk per interval, only when there is new output', async () => {
    vi.useFakeTimers();
    const { stored, upload } = fakeStore();
    const echoed: string[] = [];
    const log = new LogStream({ prefix: 'builds/d-1/log/', upload, intervalMs: 300, echo: (l) => echoed.push(l), warn: () => {} });
    log.line('one');
    log.line('two');
    expect(upload).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(300);
    expect(stored).toEqual([{ key: 'builds/d-1/log/00000000.txt', body: 'one\ntwo\n' }]);
    await vi.advanceTimersByTimeAsync(900);
    expect(upload).toHaveBeenCalledTimes(1);
    log.line('three');
    await vi.advanceTimersByTimeAsync(300);
    log.line('four');
    await log.close();
    expect(stored.map((s) => s.key)).toEqual(['builds/d-1/log/00000000.txt', 'builds/d-1/log/00000001.txt', 'builds/d-1/log/00000002.txt']);
    expect(stored.map((s) => s.body).join('')).toBe('one\ntwo\nthree\nfour\n');
    expect(echoed).toEqual(['one', 'two', 'three', 'four']);
  });

  it('redacts secrets in stored and echoed lines', async () => {
    const { stored, upload } = fakeStore();
    const echoed: string[] = [];
    const ticket = 'eyJhbGciOiJIUzI1NiJ9.eyJvcCI6ImJ1aWxkIn0.c2lnbmF0dXJl';
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    const log = new LogStream({ prefix: 'p/', upload, secrets: [ticket, secret, ''], echo: (l) => echoed.push(l), warn: () => {} });
    log.line(`ticket=${ticket} key=${secret} again ${ticket}`);
    await log.close();
    const body = stored.map((s) => s.body).join('');
    expect(body).toBe(`ticket=${REDACTED} key=${REDACTED} again ${REDACTED}\n`);
    expect(echoed.join('\n')).not.toContain(ticket);
    expect(redact('abc', [])).toBe('abc');
  });

  it('caps the stored size with one truncation notice, but keeps forced lines', async () => {
    const { stored, upload } = fakeStore();
    const log = new LogStream({ prefix: 'p/', upload, maxBytes: 20, ...quiet });
    log.line('0123456789'); // 11 bytes
    log.line('0123456789'); // would make 22: dropped
    log.line('more');
    log.line('slipway: build failed: x', true);
    await log.close();
    const body = stored.map((s) => s.body).join('');
    expect(body.split('\n').filter(Boolean)).toEqual([
      '0123456789',
      'slipway: log truncated after 11 bytes (limit 20 bytes); the rest is not stored',
      'slipway: build failed: x',
    ]);
  });

  it('retries a failed upload with the same sequence number and keeps order', async () => {
    vi.useFakeTimers();
    const { stored, upload } = fakeStore({ failFirst: 1 });
    const warnings: string[] = [];
    const log = new LogStream({ prefix: 'p/', upload, intervalMs: 300, echo: () => {}, warn: (w) => warnings.push(w) });
    log.line('a');
    await vi.advanceTimersByTimeAsync(300);
    expect(stored).toEqual([]);
    log.line('b');
    await vi.advanceTimersByTimeAsync(300);
    await log.close();
    expect(stored).toEqual([{ key: 'p/00000000.txt', body: 'a\nb\n' }]);
    expect(warnings[0]).toContain('could not store log chunk p/00000000.txt: S3 is down');
  });

  it('does not overlap uploads', async () => {
    let running = 0;
    let maxRunning = 0;
    const upload = async () => {
      running += 1;
      maxRunning = Math.max(maxRunning, running);
      await new Promise((r) => setTimeout(r, 30));
      running -= 1;
    };
    const log = new LogStream({ prefix: 'p/', upload, intervalMs: 5, ...quiet });
    for (let i = 0; i < 10; i += 1) {
      log.line(`line ${i}`);
      await new Promise((r) => setTimeout(r, 7));
    }
    await log.close();
    expect(maxRunning).toBe(1);
  });
});
