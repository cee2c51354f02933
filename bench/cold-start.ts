import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { EXAMPLE_DIR } from '../cli/commands/up.js';
import { coldStarts } from './lib/cold-start.js';
import { startPlatformChild } from './lib/platform-child.js';
import { median, timedDeploy } from './lib/timed-deploy.js';
import { freePort } from './lib/free-port.js';
import { runMain } from './lib/run-main.js';

/**
 * `npm run bench:cold`: cold starts of the example app's `GET /` through the edge, on a platform
 * whose function workers stop after 1 idle second: after a restart of the platform (its first
 * request), then N times after its worker stopped. Quicker than the whole `npm run bench` while
 * working on the function host's start-up path.
 */
const { values: flags } = parseArgs({ options: { starts: { type: 'string', default: process.env.BENCH_COLD_STARTS ?? '7' } } });
const STARTS = Number(flags.starts);
if (!Number.isInteger(STARTS) || STARTS < 1) throw new Error(`--starts must be a positive integer, got ${flags.starts}`);
const IDLE_SECONDS = 1;
const PROJECT = 'bench';
const log = (line: string) => process.stderr.write(`bench:cold: ${line}\n`);

async function main(): Promise<void> {
  const home = mkdtempSync(join(tmpdir(), 'slipway-bench-cold-'));
  const port = await freePort();
  const settings = { SLIPWAY_FUNCTION_IDLE_SECONDS: String(IDLE_SECONDS) };
  let platform = await startPlatformChild(home, port, log, { settings });
  try {
    const run = await timedDeploy(platform.api, EXAMPLE_DIR, PROJECT);
    log(`deployed ${run.deployment.id} in ${(run.totalMs / 1000).toFixed(2)} s`);
    await platform.close();
    platform = await startPlatformChild(home, port, log, { settings });
    const target = { url: `http://127.0.0.1:${port}/`, host: `${PROJECT}.localhost:${port}` };
    const [afterRestart] = await coldStarts(platform.process.pid as number, PROJECT, target, 1, IDLE_SECONDS * 1000);
    log(`first request after a platform restart: ${afterRestart?.toFixed(0)} ms`);
    const times = await coldStarts(platform.process.pid as number, PROJECT, target, STARTS, IDLE_SECONDS * 1000);
    log(`after the worker stopped: ${times.map((t) => t.toFixed(0)).join(', ')} ms`);
    process.stdout.write(
      `cold start to first byte: median ${median(times).toFixed(0)} ms of ${STARTS} (after a restart: ${afterRestart?.toFixed(0)} ms)\n`,
    );
  } finally {
    await platform.close();
    rmSync(home, { recursive: true, force: true });
  }
}

runMain(main);
