import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPlatform } from '../infra/local/platform.js';
import { ApiClient } from '../cli/api-client.js';
import { EXAMPLE_DIR } from '../cli/commands/up.js';
import { stateTimings } from './lib/state-timings.js';
import { type TimedDeploy, timedDeploy } from './lib/timed-deploy.js';
import { runMain } from './lib/run-main.js';

/**
 * Push-to-live time of the example app on the local platform, split into the user's own build
 * (install + vite build, as the build runner times them) and everything else the platform does
 * (packing, upload, sandbox start, source download, bundle upload, validation, promotion, release).
 * The user's build is the baseline: the overhead figure is what Slipway adds on top of it. Each run
 * also prints where the time went: the CLI's part before and after the execution, each state of
 * the execution (from its history) and the build runner's own steps (from its log).
 */
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

function stats(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const median = sorted[Math.floor(sorted.length / 2)] as number;
  return `mean ${(mean / 1000).toFixed(2)} s  median ${(median / 1000).toFixed(2)} s  min ${((sorted[0] as number) / 1000).toFixed(2)} s  max ${((sorted.at(-1) as number) / 1000).toFixed(2)} s`;
}

async function main(): Promise<void> {
  const home = mkdtempSync(join(tmpdir(), 'slipway-bench-'));
  const platform = await startPlatform({ home, port: 0 });
  try {
    const token = (await readFile(platform.adminTokenFile, 'utf8')).trim();
    const api = new ApiClient({ apiUrl: platform.apiUrl, token, port: platform.port });
    const runs: TimedDeploy[] = [];
    for (let i = 1; i <= RUNS; i++) {
      const run = await timedDeploy(api, EXAMPLE_DIR, 'bench');
      const { totalMs, installMs, buildMs } = run;
      runs.push(run);
      const execution = platform.engine
        .listExecutions({})
        .map((summary) => platform.engine.describeExecution(summary.executionArn))
        .find((record) => record.input.includes(`"deploymentId":"${run.deployment.id}"`));
      if (execution) {
        const states = stateTimings(execution);
        const inExecution = Date.parse(execution.stopDate ?? execution.startDate) - Date.parse(execution.startDate);
        const before = Date.parse(execution.startDate) - run.startedAt;
        const after = run.endedAt - Date.parse(execution.stopDate ?? execution.startDate);
        console.log(`  CLI before the execution ${before} ms, after it ${after} ms`);
        console.log(`  execution ${inExecution} ms: ${states.map(({ state, ms }) => `${state} ${ms}`).join(', ')}`);
        // The build runner's own steps, as its log times them; the rest of Build is the sandbox's start and the runner's.
        const steps = [
          ...run.log.matchAll(
            /^slipway: (downloaded source|extracted source|install finished|build finished|uploaded|build succeeded).*? in (\d+) ms$/gm,
          ),
        ];
        console.log(`  build log: ${steps.map((m) => `${m[1]} ${m[2]}`).join(', ')}`);
      }
      console.log(
        `run ${i}: push-to-live ${(totalMs / 1000).toFixed(2)} s = user build ${((installMs + buildMs) / 1000).toFixed(2)} s (install ${(installMs / 1000).toFixed(2)} s + vite build ${(buildMs / 1000).toFixed(2)} s) + platform overhead ${(run.overheadMs / 1000).toFixed(2)} s`,
      );
    }
    console.log(`\nexample app (examples/hello), ${RUNS} runs; run 1 includes creating the project and a cold npm cache`);
    console.log(`push-to-live      ${stats(runs.map((r) => r.totalMs))}`);
    console.log(`user build        ${stats(runs.map((r) => r.installMs + r.buildMs))}   (baseline: install + vite build)`);
    console.log(`platform overhead ${stats(runs.map((r) => r.overheadMs))}`);
  } finally {
    await platform.close();
    rmSync(home, { recursive: true, force: true });
  }
}

runMain(main);
