import { request } from 'node:http';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';

/** One fixed window of load: autocannon with N connections on one URL (and Host header). */
export interface LoadTarget {
  url: string;
  /** The Host header (the edge routes by it: `NAME.localhost`). */
  host?: string;
}

export interface WindowResult {
  requests: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
}

export async function loadWindow(target: LoadTarget, seconds: number, connections: number): Promise<WindowResult> {
  const result = await autocannon({
    url: target.url,
    connections,
    duration: seconds,
    headers: target.host ? { host: target.host } : {},
  });
  return {
    requests: result.requests.total,
    rps: result.requests.total / seconds,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

/** Milliseconds from sending a GET to its response head (status and headers) arriving; the body is drained. */
export function timeToFirstByte(target: LoadTarget): Promise<{ ms: number; status: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(target.url, { headers: target.host ? { host: target.host } : {}, agent: false }, (res) => {
      const ms = performance.now() - started;
      res.resume();
      res.on('end', () => resolve({ ms, status: res.statusCode ?? 0 }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The status and body of a GET. */
export function fetchBody(target: LoadTarget): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(target.url, { headers: target.host ? { host: target.host } : {}, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}
