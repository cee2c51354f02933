import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { EXAMPLE_DIR } from '../cli/commands/up.js';
import { DeployFailed } from '../cli/deploy.js';
import { type LoadTarget, fetchBody, loadWindow, timeToFirstByte, type WindowResult } from './lib/load.js';
import { buildWithAdapterNode, startNodeServer } from './lib/node-baseline.js';
import { startPlatformChild, type PlatformChild } from './lib/platform-child.js';
import { prebuiltApp } from './lib/prebuilt-app.js';
import { treeCpuSeconds, treeRssBytes, treeWithout, type ProcessSample } from './lib/process-tree.js';
import { median, type TimedDeploy, timedDeploy } from './lib/timed-deploy.js';
import { coldStarts, isFunctionWorkerCommand } from './lib/cold-start.js';
import { freePort } from './lib/free-port.js';
import { runMain } from './lib/run-main.js';
import { dashboardPaths, dashboardRows, dashboardSession, type PageLatency, pageLatency } from './lib/dashboard-latency.js';

/**
 * `npm run bench`: the example app on the local platform (through the edge) against the same
 * source built with adapter-node, in one run on this machine, and the dashboard's page response
 * times on the same platform (bench/dashboard.ts alone). Progress goes to stderr, the table
 * (Markdown, for docs/PERFORMANCE.md) to stdout.
 */
const { values: flags } = parseArgs({
  options: {
    seconds: { type: 'string', default: process.env.BENCH_SECONDS ?? '10' },
    warmup: { type: 'string', default: process.env.BENCH_WARMUP_SECONDS ?? '3' },
    connections: { type: 'string', default: process.env.BENCH_CONNECTIONS ?? '20' },
    deploys: { type: 'string', default: process.env.BENCH_DEPLOYS ?? '3' },
    projects: { type: 'string', default: process.env.BENCH_PROJECTS ?? '50' },
    'cold-starts': { type: 'string', default: process.env.BENCH_COLD_STARTS ?? '5' },
    'dashboard-requests': { type: 'string', default: process.env.BENCH_DASHBOARD_REQUESTS ?? '200' },
  },
});
function positive(name: string, raw: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer, got ${raw}`);
  return value;
}
const SECONDS = positive('seconds', flags.seconds);
const WARMUP_SECONDS = positive('warmup', flags.warmup);
const CONNECTIONS = positive('connections', flags.connections);
const DEPLOYS = Math.max(2, positive('deploys', flags.deploys));
const PROJECTS = positive('projects', flags.projects);
const COLD_STARTS = positive('cold-starts', flags['cold-starts']);
const DASHBOARD_REQUESTS = positive('dashboard-requests', flags['dashboard-requests']);
/** The idle time of the restarted platform's workers, so each cold start waits only this long for its worker to stop. */
const COLD_IDLE_SECONDS = 1;
/** Deploys of the copy-only app in flight at once while filling the platform with projects. */
const FILL_CONCURRENCY = 2;
const PROJECT = 'bench';
/**
 * Function workers run `function-host/worker.js` (in their sandbox); the idle figures leave them out
 * with their sandboxes (bwrap, and the slirp4netns serving each one's network: about 3 MB a worker).
 */
const isFunctionWorker = (p: ProcessSample) => isFunctionWorkerCommand(p.command);

const log = (line: string) => process.stderr.write(`bench: ${line}\n`);
const ms = (value: number) => `${value.toFixed(0)} ms`;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

interface Side {
  name: 'slipway' | 'adapter-node';
  pid: number;
  target: (path: string) => LoadTarget;
}

interface Measured {
  windows: WindowResult[];
  cpuSeconds: number;
}

/** A warm-up (not counted), then a fixed window; the side's process tree CPU time over that window. */
async function measuredWindow(side: Side, path: string, into: Measured): Promise<void> {
  await loadWindow(side.target(path), WARMUP_SECONDS, CONNECTIONS);
  const cpuBefore = treeCpuSeconds(side.pid);
  const result = await loadWindow(side.target(path), SECONDS, CONNECTIONS);
  into.cpuSeconds += treeCpuSeconds(side.pid) - cpuBefore;
  into.windows.push(result);
  log(
    `  ${side.name.padEnd(12)} ${path}: ${result.rps.toFixed(0)} req/s  p50 ${result.p50Ms} ms  p99 ${result.p99Ms} ms${result.non2xx || result.errors ? `  (${result.non2xx} non-2xx, ${result.errors} errors)` : ''}`,
  );
}

interface Comparison {
  label: string;
  path: string;
  slipway: Measured;
  node: Measured;
}

/** ABBA: slipway, node, node, slipway, so a drift of the machine's load weighs on both alike. */
async function compare(label: string, path: string, slipway: Side, node: Side): Promise<Comparison> {
  log(`${label} (${path}), ABBA windows of ${SECONDS} s after ${WARMUP_SECONDS} s warm-up, ${CONNECTIONS} connections`);
  const result: Comparison = { label, path, slipway: { windows: [], cpuSeconds: 0 }, node: { windows: [], cpuSeconds: 0 } };
  for (const side of [slipway, node, node, slipway]) await measuredWindow(side, path, side === slipway ? result.slipway : result.node);
  for (const side of [result.slipway, result.node]) {
    const failed = side.windows.reduce((sum, w) => sum + w.non2xx + w.errors, 0);
    if (failed > 0) throw new Error(`${label}: ${failed} requests failed or were not 2xx; the figures would not compare like with like`);
  }
  return result;
}

const totalRequests = (m: Measured) => m.windows.reduce((sum, w) => sum + w.requests, 0);
const meanOf = (m: Measured, pick: (w: WindowResult) => number) => m.windows.reduce((sum, w) => sum + pick(w), 0) / m.windows.length;

/** The largest immutable file adapter-node serves that the edge serves byte for byte too (build hashes can differ). */
async function sharedImmutableAsset(nodeDir: string, slipway: Side, node: Side): Promise<string> {
  const root = join(nodeDir, 'build', 'client');
  const files: Array<{ path: string; size: number }> = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.push({ path: `/${relative(root, path)}`, size: statSync(path).size });
    }
  };
  walk(join(root, '_app', 'immutable'));
  for (const { path, size } of files.sort((a, b) => b.size - a.size)) {
    const [fromEdge, fromNode] = await Promise.all([fetchBody(slipway.target(path)), fetchBody(node.target(path))]);
    if (fromEdge.status === 200 && fromNode.status === 200 && fromEdge.body.equals(fromNode.body) && fromNode.body.length === size)
      return path;
  }
  throw new Error('no file of _app/immutable is served identically by the edge and adapter-node');
}

async function waitUntilLive(platform: PlatformChild, deploymentId: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const { project } = await platform.api.get<{ project: { liveDeploymentId?: string; status: string } }>(`/projects/${PROJECT}`);
    if (project.liveDeploymentId === deploymentId) return;
    if (project.status === 'FAILED') throw new Error(`rollback to ${deploymentId} failed`);
    if (Date.now() > deadline) throw new Error(`rollback to ${deploymentId} did not finish in 2 minutes`);
    await sleep(10);
  }
}

/** Fill deploys that failed and were tried again: each is logged with its cause and counted in the summary. */
let fillRetries = 0;

async function deployRetryingOnce(platform: PlatformChild, appDir: string, name: string): Promise<void> {
  try {
    await timedDeploy(platform.api, appDir, name, 200, { preflight: false });
  } catch (error) {
    if (!(error instanceof DeployFailed)) throw error;
    fillRetries += 1;
    log(`  ${name}: ${error.message}; deploying it again`);
    await timedDeploy(platform.api, appDir, name, 200, { preflight: false });
  }
}

/** Fills the platform up to PROJECTS projects, each with a live deployment of the copy-only app; returns how long it took. */
async function fillProjects(platform: PlatformChild, appDir: string): Promise<number> {
  const names = Array.from({ length: PROJECTS - 1 }, (_, i) => `idle-${String(i + 2).padStart(2, '0')}`);
  const started = performance.now();
  let next = 0;
  const deployNext = async (): Promise<void> => {
    for (let name = names[next++]; name !== undefined; name = names[next++]) {
      await deployRetryingOnce(platform, appDir, name);
      // A static path: proves the deployment is live without starting its worker.
      const { status } = await fetchBody({ url: `http://127.0.0.1:${platform.port}/about`, host: `${name}.localhost` });
      if (status !== 200) throw new Error(`project ${name}: /about answered ${status}`);
    }
  };
  await Promise.all(Array.from({ length: FILL_CONCURRENCY }, deployNext));
  return performance.now() - started;
}

/** The platform's resident memory with its function workers left out, after a few quiet seconds. */
async function idleRss(platform: PlatformChild): Promise<{ platform: number; workers: number }> {
  await sleep(5000);
  const all = treeRssBytes(platform.process.pid as number);
  const withoutWorkers = treeRssBytes(platform.process.pid as number, isFunctionWorker);
  // Which processes hold it, for the log: the platform's own, its storage servers, sandboxes left running.
  const byCommand = treeWithout(platform.process.pid as number, isFunctionWorker).map(
    (p) => `${mb(p.rssBytes)} ${p.command.split(' ').slice(0, 3).join(' ').slice(-60)}`,
  );
  log(`  processes: ${byCommand.join('; ')}`);
  return { platform: withoutWorkers, workers: all - withoutWorkers };
}

function machine(): string {
  const model = cpus()[0]?.model ?? 'unknown CPU';
  return `${cpus().length} cores (${model}), Node ${process.versions.node}`;
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

async function main(): Promise<void> {
  const loadAtStart = load();
  const startedAt = new Date();
  const nodeDir = buildWithAdapterNode(EXAMPLE_DIR, log);
  const home = mkdtempSync(join(tmpdir(), 'slipway-bench-home-'));
  const [platformPort, nodePort] = [await freePort(), await freePort()];
  let platform = await startPlatformChild(home, platformPort, log);
  const closers: Array<() => Promise<void>> = [() => platform.close()];
  try {
    const slipway: Side = {
      name: 'slipway',
      pid: platform.process.pid as number,
      target: (path) => ({ url: `http://127.0.0.1:${platformPort}${path}`, host: `${PROJECT}.localhost:${platformPort}` }),
    };

    // Deploys: the first is never requested, so the rollback below lands on a deployment whose worker never started.
    const deploys: TimedDeploy[] = [];
    const firstRequests: number[] = [];
    for (let i = 1; i <= DEPLOYS; i++) {
      const run = await timedDeploy(platform.api, EXAMPLE_DIR, PROJECT);
      deploys.push(run);
      let note = '';
      if (i > 1) {
        const first = await timeToFirstByte(slipway.target('/'));
        if (first.status !== 200) throw new Error(`the first request after deploy ${i} answered ${first.status}`);
        firstRequests.push(first.ms);
        note = `, first request after it ${ms(first.ms)}`;
      }
      log(
        `deploy ${i}: ${(run.totalMs / 1000).toFixed(2)} s = user build ${((run.installMs + run.buildMs) / 1000).toFixed(2)} s + platform overhead ${(run.overheadMs / 1000).toFixed(2)} s${note}`,
      );
    }

    const target = deploys[0]?.deployment.id as string;
    const rollbackStarted = performance.now();
    await platform.api.post(`/projects/${PROJECT}/rollback`, { deploymentId: target });
    await waitUntilLive(platform, target);
    const rollbackMs = performance.now() - rollbackStarted;
    const afterRollback = await timeToFirstByte(slipway.target('/'));
    if (afterRollback.status !== 200) throw new Error(`the first request after the rollback answered ${afterRollback.status}`);
    log(`rollback to deploy 1: ${ms(rollbackMs)} until live; first request (its worker started by the rollback) ${ms(afterRollback.ms)}`);

    const nodeServer = await startNodeServer(join(nodeDir), nodePort);
    closers.unshift(() => nodeServer.close());
    const node: Side = {
      name: 'adapter-node',
      pid: nodeServer.process.pid as number,
      target: (path) => ({ url: `${nodeServer.url}${path}` }),
    };

    const asset = await sharedImmutableAsset(nodeDir, slipway, node);
    const assetBytes = statSync(join(nodeDir, 'build', 'client', asset)).size;
    const comparisons = [
      await compare('server-rendered', '/', slipway, node),
      await compare('prerendered', '/about', slipway, node),
      await compare(`immutable asset (${(assetBytes / 1024).toFixed(0)} KB)`, asset, slipway, node),
    ];
    await nodeServer.close();
    closers.shift();

    // The dashboard's pages, signed in, with the bench project deployed (bench/dashboard.ts runs this part alone).
    log(`dashboard pages: ${DASHBOARD_REQUESTS} requests each, one after another, signed in`);
    const platformOrigin = `http://localhost:${platformPort}`;
    const cookie = await dashboardSession(platformOrigin, readFileSync(join(home, 'admin.token'), 'utf8').trim());
    const dashboard: PageLatency[] = [];
    for (const path of dashboardPaths(PROJECT, target)) {
      const result = await pageLatency(platformOrigin, path, cookie, DASHBOARD_REQUESTS, 20);
      log(
        result.status === 200
          ? `  ${path}: p50 ${result.p50Ms.toFixed(1)} ms  p95 ${result.p95Ms.toFixed(1)} ms`
          : `  ${path}: HTTP ${result.status}, not measured`,
      );
      dashboard.push(result);
    }

    const rssOne = await idleRss(platform);
    log(`idle RSS, 1 project: platform ${mb(rssOne.platform)} (+ ${mb(rssOne.workers)} in function workers, left out)`);
    let fillMs = 0;
    let rssMany = rssOne;
    if (PROJECTS > 1) {
      const appDir = prebuiltApp(nodeDir, log);
      log(`filling the platform to ${PROJECTS} projects with the copy-only app (${FILL_CONCURRENCY} deploys at a time)`);
      fillMs = await fillProjects(platform, appDir);
      rssMany = await idleRss(platform);
      log(`idle RSS, ${PROJECTS} projects: platform ${mb(rssMany.platform)} (+ ${mb(rssMany.workers)} in function workers, left out)`);
    }

    // Cold starts: the same platform restarted with a short idle time (an operator setting), so no
    // worker runs after the restart and each stops a second after its request.
    log(`cold starts: restarting the platform with SLIPWAY_FUNCTION_IDLE_SECONDS=${COLD_IDLE_SECONDS}`);
    await platform.close();
    platform = await startPlatformChild(home, platformPort, log, {
      settings: { SLIPWAY_FUNCTION_IDLE_SECONDS: String(COLD_IDLE_SECONDS) },
    });
    const platformPid = platform.process.pid as number;
    const [afterRestart = Number.NaN] = await coldStarts(platformPid, PROJECT, slipway.target('/'), 1, COLD_IDLE_SECONDS * 1000);
    const colds = await coldStarts(platformPid, PROJECT, slipway.target('/'), COLD_STARTS, COLD_IDLE_SECONDS * 1000);
    const cold = median(colds);
    log(`cold start: first request after the restart ${ms(afterRestart)}; after the worker stopped ${colds.map(ms).join(', ')}`);

    const overhead = median(deploys.map((d) => d.overheadMs));
    const firstAfterDeploy = median(firstRequests);
    const rows: string[][] = [];
    const verdict = (met: boolean) => (met ? 'met' : '**not met**');
    for (const c of comparisons) {
      const ratio = meanOf(c.slipway, (w) => w.rps) / meanOf(c.node, (w) => w.rps);
      const goal = c.label === 'server-rendered' ? 0.9 : 1.0;
      rows.push([
        `${c.label} \`${c.path.length > 24 ? `${c.path.slice(0, 21)}…` : c.path}\` req/s`,
        meanOf(c.slipway, (w) => w.rps).toFixed(0),
        meanOf(c.node, (w) => w.rps).toFixed(0),
        `${ratio.toFixed(2)}×`,
        `≥ ${goal.toFixed(1)}×`,
        verdict(ratio >= goal),
      ]);
      rows.push([
        `  p50 / p99 latency`,
        `${meanOf(c.slipway, (w) => w.p50Ms).toFixed(1)} / ${meanOf(c.slipway, (w) => w.p99Ms).toFixed(1)} ms`,
        `${meanOf(c.node, (w) => w.p50Ms).toFixed(1)} / ${meanOf(c.node, (w) => w.p99Ms).toFixed(1)} ms`,
        '',
        '',
        '',
      ]);
      const cpuSlipway = (c.slipway.cpuSeconds / totalRequests(c.slipway)) * 1e6;
      const cpuNode = (c.node.cpuSeconds / totalRequests(c.node)) * 1e6;
      rows.push([
        `  CPU per request`,
        `${cpuSlipway.toFixed(0)} µs`,
        `${cpuNode.toFixed(0)} µs`,
        `${(cpuSlipway / cpuNode).toFixed(2)}×`,
        '',
        '',
      ]);
    }
    rows.push([
      `cold start: first request after its worker stopped (median of ${colds.length})`,
      ms(cold),
      '',
      '',
      '≤ 100 ms',
      verdict(cold <= 100),
    ]);
    rows.push(['  first request after a platform restart', ms(afterRestart), '', '', '', '']);
    rows.push(['first request after a rollback to a deployment never requested', ms(afterRollback.ms), '', '', '', '']);
    rows.push([
      `first request after a deploy (median of ${firstRequests.length})`,
      ms(firstAfterDeploy),
      '',
      '',
      '≤ 50 ms',
      verdict(firstAfterDeploy <= 50),
    ]);
    rows.push(['rollback (API call until the live pointer moved)', ms(rollbackMs), '', '', '', '']);
    rows.push([
      `deploy overhead over the user's build (median of ${deploys.length})`,
      `${(overhead / 1000).toFixed(2)} s`,
      '',
      '',
      '≤ 1 s',
      verdict(overhead <= 1000),
    ]);
    rows.push([
      '  user build (install + vite build), median',
      `${(median(deploys.map((d) => d.installMs + d.buildMs)) / 1000).toFixed(2)} s`,
      '',
      '',
      '',
      '',
    ]);
    rows.push(...dashboardRows(dashboard));
    rows.push(['idle RSS of the platform, 1 project', mb(rssOne.platform), '', '', '', '']);
    // The goal is for 50 projects; with fewer (a quick run) the row says how many it measured.
    rows.push([
      `idle RSS of the platform, ${PROJECTS} project${PROJECTS > 1 ? 's' : ''}`,
      mb(rssMany.platform),
      '',
      '',
      '≤ 250 MB',
      verdict(rssMany.platform <= 250 * 1024 * 1024),
    ]);

    const lines = [
      `Run ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC on ${machine()}; load average ${loadAtStart} at start, ${load()} at end.`,
      `Windows: ${SECONDS} s after ${WARMUP_SECONDS} s warm-up, ${CONNECTIONS} connections, ABBA; ${DEPLOYS} deploys of examples/hello; ${PROJECTS} projects${PROJECTS > 1 ? ` (${PROJECTS - 1} filled with the copy-only app in ${(fillMs / 1000).toFixed(0)} s${fillRetries ? `, ${fillRetries} failed deploys tried again` : ''})` : ''}.`,
      '',
      '| measure | Slipway | adapter-node | ratio | goal | |',
      '|---|---|---|---|---|---|',
      ...rows.map((r) => `| ${r.join(' | ')} |`),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    for (const close of closers) await close();
    rmSync(home, { recursive: true, force: true });
  }
}

runMain(main);
