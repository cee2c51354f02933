import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

/**
 * How fast the dashboard's pages answer (issue 13: "under 100 ms locally"): one signed-in client
 * asking for a page again and again over a kept-alive connection, as a browser would, each time
 * from sending the request to the last byte of the server-rendered HTML.
 */
export const DASHBOARD_GOAL_MS = 100;

/** The pages timed: the projects list, a project, one of its deployments (the live view). */
export function dashboardPaths(project: string, deploymentId: string): string[] {
  return ['/', `/projects/${project}`, `/projects/${project}/deployments/${deploymentId}`];
}

export interface PageLatency {
  path: string;
  /** The status of the first answer; only a 200 page is timed. */
  status: number;
  requests: number;
  p50Ms: number;
  p95Ms: number;
}

/** Signs in with an API token as the dashboard's sign-in does and returns the session cookie (`name=value`). */
export async function dashboardSession(origin: string, token: string): Promise<string> {
  const response = await fetch(`${origin}/api/v1/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin },
    body: JSON.stringify({ token }),
  });
  if (!response.ok) throw new Error(`sign-in answered ${response.status}: ${await response.text()}`);
  const cookie = response.headers.getSetCookie().find((line) => line.startsWith('slipway_session='));
  if (!cookie) throw new Error('sign-in set no session cookie');
  return cookie.split(';')[0] as string;
}

function timedGet(url: string, cookie: string, agent: Agent): Promise<{ ms: number; status: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(url, { headers: { cookie, accept: 'text/html' }, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ ms: performance.now() - started, status: res.statusCode ?? 0 }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The value below which `fraction` of the sorted samples fall (nearest rank). */
function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] as number;
}

/** `warmup` requests not counted (the server function's first render loads its code), then `requests` timed one after another. */
export async function pageLatency(origin: string, path: string, cookie: string, requests: number, warmup: number): Promise<PageLatency> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const first = await timedGet(`${origin}${path}`, cookie, agent);
    if (first.status !== 200) return { path, status: first.status, requests: 0, p50Ms: Number.NaN, p95Ms: Number.NaN };
    for (let i = 1; i < warmup; i++) await timedGet(`${origin}${path}`, cookie, agent);
    const samples: number[] = [];
    for (let i = 0; i < requests; i++) {
      const { ms, status } = await timedGet(`${origin}${path}`, cookie, agent);
      if (status !== 200) throw new Error(`${path} answered ${status} after answering 200`);
      samples.push(ms);
    }
    samples.sort((a, b) => a - b);
    return { path, status: 200, requests, p50Ms: percentile(samples, 0.5), p95Ms: percentile(samples, 0.95) };
  } finally {
    agent.destroy();
  }
}

/** Table rows (measure, Slipway, adapter-node, ratio, goal, verdict) in the shape `npm run bench` prints. */
export function dashboardRows(results: PageLatency[]): string[][] {
  return results.map((r) => {
    const measure = `dashboard \`${r.path.length > 32 ? `${r.path.slice(0, 29)}…` : r.path}\` p50 / p95, signed in`;
    if (r.status !== 200) return [measure, `HTTP ${r.status}`, '', '', `p95 ≤ ${DASHBOARD_GOAL_MS} ms`, '**not measured**'];
    return [
      measure,
      `${r.p50Ms.toFixed(1)} / ${r.p95Ms.toFixed(1)} ms`,
      '',
      '',
      `p95 ≤ ${DASHBOARD_GOAL_MS} ms`,
      r.p95Ms <= DASHBOARD_GOAL_MS ? 'met' : '**not met**',
    ];
  });
}
