import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { EXAMPLE_DIR } from '../cli/commands/up.js';
import { fetchBody } from './lib/load.js';
import { buildWithAdapterNode } from './lib/node-baseline.js';
import { startPlatformChild } from './lib/platform-child.js';
import { prebuiltApp } from './lib/prebuilt-app.js';
import { processTree, type ProcessSample, treeRssBytes } from './lib/process-tree.js';
import { timedDeploy } from './lib/timed-deploy.js';
import { freePort } from './lib/free-port.js';
import { runMain } from './lib/run-main.js';

/**
 * `npm run bench:rss`: the platform's idle resident memory as projects are added (each a live
 * deployment of the copy-only app, bench/lib/prebuilt-app.ts), measured as `npm run bench` does
 * (5 quiet seconds, the process tree without function workers), with the platform process's own
 * split (V8 heap, external, array buffers) from a probe it loads.
 */
const { values: flags } = parseArgs({
  options: {
    checkpoints: { type: 'string', default: process.env.BENCH_RSS_CHECKPOINTS ?? '1,10,25,50' },
    'node-args': { type: 'string', default: process.env.BENCH_RSS_NODE_ARGS ?? '' },
    /** A directory: a heap snapshot of the platform is written there at each checkpoint. */
    snapshots: { type: 'string' },
    /** Seconds to keep the platform running after the last checkpoint (to look at it with other tools). */
    hold: { type: 'string', default: '0' },
    /** After the last checkpoint, kill the function workers (as their idle stop would end them) and measure again. */
    'stop-workers': { type: 'boolean', default: false },
    /** Seconds after the last figure to measure once more (V8 gives memory back some seconds after a busy spell). */
    later: { type: 'string', default: '0' },
  },
});
const CHECKPOINTS = flags.checkpoints.split(',').map(Number);
const FILL_CONCURRENCY = 2;
const isFunctionWorker = (p: ProcessSample) => p.command.includes('function-host/worker');

const log = (line: string) => process.stderr.write(`bench:rss: ${line}\n`);
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

/** Loaded into the platform with --import: on SIGUSR2 it writes its memory split (and a heap snapshot when asked). */
const PROBE = `import { writeFileSync } from 'node:fs';
import { getHeapSpaceStatistics, writeHeapSnapshot } from 'node:v8';
process.on('SIGUSR2', () => {
  const out = process.env.SLIPWAY_RSS_PROBE_OUT;
  const usage = process.memoryUsage();
  const spaces = Object.fromEntries(getHeapSpaceStatistics().map((s) => [s.space_name, s.space_size]));
  const dir = process.env.SLIPWAY_RSS_PROBE_SNAPSHOTS;
  const snapshot = dir ? writeHeapSnapshot(dir + '/platform-' + Date.now() + '.heapsnapshot') : undefined;
  writeFileSync(out, JSON.stringify({ usage, spaces, snapshot }));
});
`;

async function probe(pid: number, out: string): Promise<string> {
  rmSync(out, { force: true });
  process.kill(pid, 'SIGUSR2');
  for (let i = 0; i < 600; i++) {
    await sleep(100);
    try {
      const { usage, spaces, snapshot } = JSON.parse(readFileSync(out, 'utf8')) as {
        usage: NodeJS.MemoryUsage;
        spaces: Record<string, number>;
        snapshot?: string;
      };
      return `rss ${mb(usage.rss)} heap total ${mb(usage.heapTotal)} used ${mb(usage.heapUsed)} external ${mb(usage.external)} arrayBuffers ${mb(usage.arrayBuffers)} (spaces: ${Object.entries(
        spaces,
      )
        .filter(([, size]) => size >= 1024 * 1024)
        .map(([name, size]) => `${name.replace('_space', '')} ${mb(size)}`)
        .join(', ')})${snapshot ? ` snapshot ${snapshot}` : ''}`;
    } catch {
      /* not written yet */
    }
  }
  throw new Error('the probe did not answer');
}

async function main(): Promise<void> {
  const appDir = prebuiltApp(buildWithAdapterNode(EXAMPLE_DIR, log), log);
  const home = mkdtempSync(join(tmpdir(), 'slipway-bench-rss-'));
  const probeFile = join(home, 'probe.mjs');
  writeFileSync(probeFile, PROBE);
  const probeOut = join(home, 'probe.json');
  process.env.SLIPWAY_RSS_PROBE_OUT = probeOut;
  if (flags.snapshots) process.env.SLIPWAY_RSS_PROBE_SNAPSHOTS = flags.snapshots;
  const nodeArgs = [...flags['node-args'].split(' ').filter(Boolean), '--import', probeFile];
  const platform = await startPlatformChild(home, await freePort(), log, { nodeArgs });
  const pid = platform.process.pid as number;
  try {
    let deployed = 0;
    for (const checkpoint of CHECKPOINTS) {
      const names = Array.from({ length: checkpoint - deployed }, (_, i) => `idle-${String(deployed + i + 1).padStart(2, '0')}`);
      let next = 0;
      const deployNext = async (): Promise<void> => {
        for (let name = names[next++]; name !== undefined; name = names[next++]) {
          await timedDeploy(platform.api, appDir, name, 200, { preflight: false });
          const { status } = await fetchBody({ url: `http://127.0.0.1:${platform.port}/about`, host: `${name}.localhost` });
          if (status !== 200) throw new Error(`project ${name}: /about answered ${status}`);
        }
      };
      await Promise.all(Array.from({ length: FILL_CONCURRENCY }, deployNext));
      deployed = checkpoint;
      await sleep(5000);
      const rss = treeRssBytes(pid, isFunctionWorker);
      const workers = treeRssBytes(pid) - rss;
      log(
        `${checkpoint} projects: idle RSS ${mb(rss)} (+ ${mb(workers)} in function workers with their sandboxes, left out); ${await probe(pid, probeOut)}`,
      );
    }
    if (flags['stop-workers']) {
      // The node processes themselves, not the bwrap above each (whose arguments name the worker too).
      const workers = processTree(pid).filter((p) => isFunctionWorker(p) && /(^|\/)node$/.test(p.command.split(' ')[0] ?? ''));
      for (const worker of workers) process.kill(worker.pid, 'SIGKILL');
      await sleep(5000);
      const left = processTree(pid).filter((p) => p.pid !== pid);
      log(
        `${workers.length} workers killed, ${left.length} child processes left: idle RSS ${mb(treeRssBytes(pid))}; ${await probe(pid, probeOut)}`,
      );
    }
    if (Number(flags.later) > 0) {
      await sleep(Number(flags.later) * 1000);
      log(`${flags.later} s later: idle RSS ${mb(treeRssBytes(pid, isFunctionWorker))}; ${await probe(pid, probeOut)}`);
    }
    if (Number(flags.hold) > 0) {
      log(`holding the platform (pid ${pid}) for ${flags.hold} s`);
      await sleep(Number(flags.hold) * 1000);
    }
  } finally {
    await platform.close();
    rmSync(home, { recursive: true, force: true });
  }
}

runMain(main);
