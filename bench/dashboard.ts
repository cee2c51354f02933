import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { EXAMPLE_DIR } from '../cli/commands/up.js';
import { dashboardPaths, dashboardRows, dashboardSession, pageLatency } from './lib/dashboard-latency.js';
import { freePort } from './lib/free-port.js';
import { startPlatformChild } from './lib/platform-child.js';
import { runMain } from './lib/run-main.js';
import { timedDeploy } from './lib/timed-deploy.js';

/**
 * `npm run bench:dashboard`: the dashboard section of `npm run bench` alone. A platform in its own
 * process with examples/hello deployed; each page's server response time, signed in, against the
 * 100 ms goal. Progress goes to stderr, the table (Markdown, for docs/PERFORMANCE.md) to stdout;
 * exit 1 when a page did not answer 200 (not measured is not met).
 */
const { values: flags } = parseArgs({
  options: {
    requests: { type: 'string', default: process.env.BENCH_DASHBOARD_REQUESTS ?? '200' },
    warmup: { type: 'string', default: process.env.BENCH_DASHBOARD_WARMUP ?? '20' },
  },
});
const REQUESTS = Number(flags.requests);
const WARMUP = Number(flags.warmup);
if (!Number.isInteger(REQUESTS) || REQUESTS < 1) throw new Error(`--requests must be a positive integer, got ${flags.requests}`);
if (!Number.isInteger(WARMUP) || WARMUP < 1) throw new Error(`--warmup must be a positive integer, got ${flags.warmup}`);
const PROJECT = 'bench';

const log = (line: string) => process.stderr.write(`bench: ${line}\n`);

async function main(): Promise<void> {
  const loadAtStart = loadavg()[0]?.toFixed(2);
  const startedAt = new Date();
  const home = mkdtempSync(join(tmpdir(), 'slipway-bench-dashboard-'));
  const port = await freePort();
  const platform = await startPlatformChild(home, port, log);
  try {
    const deployed = await timedDeploy(platform.api, EXAMPLE_DIR, PROJECT);
    log(`deployed ${PROJECT} (${deployed.deployment.id}) in ${(deployed.totalMs / 1000).toFixed(1)} s`);
    const origin = `http://localhost:${port}`;
    const cookie = await dashboardSession(origin, readFileSync(join(home, 'admin.token'), 'utf8').trim());
    const results = [];
    for (const path of dashboardPaths(PROJECT, deployed.deployment.id)) {
      const result = await pageLatency(origin, path, cookie, REQUESTS, WARMUP);
      log(
        result.status === 200
          ? `  ${path}: p50 ${result.p50Ms.toFixed(1)} ms  p95 ${result.p95Ms.toFixed(1)} ms (${REQUESTS} requests)`
          : `  ${path}: HTTP ${result.status}, not measured`,
      );
      results.push(result);
    }
    const lines = [
      `Run ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC on ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.versions.node}; load average ${loadAtStart} at start, ${loadavg()[0]?.toFixed(2)} at end.`,
      `${REQUESTS} requests per page one after another on a kept-alive connection, after ${WARMUP} not counted; signed in as admin; examples/hello deployed.`,
      '',
      '| measure | Slipway | adapter-node | ratio | goal | |',
      '|---|---|---|---|---|---|',
      ...dashboardRows(results).map((r) => `| ${r.join(' | ')} |`),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    const unmeasured = results.filter((r) => r.status !== 200);
    if (unmeasured.length > 0) throw new Error(`not measured: ${unmeasured.map((r) => `${r.path} (HTTP ${r.status})`).join(', ')}`);
  } finally {
    await platform.close();
    rmSync(home, { recursive: true, force: true });
  }
}

runMain(main);
