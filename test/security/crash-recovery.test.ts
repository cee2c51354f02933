import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { sign } from '@octokit/webhooks-methods';
import * as tar from 'tar';
import { hostRequest } from '../support/http.js';
import { startGithubServer, type GithubTestServer } from '../support/github-server.js';
import { seedPlatformHome } from '../support/platform-synth-cache.js';

/**
 * Attack/fault: `kill -9` of the platform's whole process group while a workflow runs. Before,
 * the execution came back ABORTED, its deployment stayed BUILDING forever, its build slot stayed
 * taken (the next deploy got 429) and `admin retry` refused it.
 *
 * Here `slipway up` runs as a real process (its own process group, home and port) with
 * SLIPWAY_FAULT_KILL_AT_STATE, which makes it SIGKILL its own group as it enters one state. Every
 * state of slipway-build-and-deploy and slipway-rollback, taken from the synthesized definitions,
 * is a crash point; each is restarted and checked: the live version is served right after the
 * restart, the interrupted work ends LIVE (resumed) or FAILED with its reason within 60 s, the
 * deployment records agree with the live pointer, no build slot leaks (the next deploy, with
 * concurrentBuilds 1, is accepted), and a deployment failed by the crash goes live when retried.
 * Each crash point is reached by the first action whose uninterrupted run went through it: an
 * upload, a preview, a failing build, a rollback, a GitHub push (test/support/github-server.ts),
 * or a push whose commit GitHub cannot serve.
 *
 * The app is a fixture whose build writes its bundle in milliseconds: what is under test is the
 * engine and the pipeline steps around the build, which a real SvelteKit build would only slow
 * down (the e2e deploy test covers that build). Scenarios run in a few chains, each in its own
 * copy of one prepared home; each platform start of a chain also recovers the previous crash.
 */
const ROOT = resolve(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'bin', 'slipway.js');
const FIXTURE = join(import.meta.dirname, 'fixtures', 'crash-app');
const PROJECT = 'crash';
const PREVIEW = 'pre';
const CHAINS = 3;
const MACHINES = ['slipway-build-and-deploy', 'slipway-rollback'] as const;
type Machine = (typeof MACHINES)[number];
type Action = 'deploy' | 'preview' | 'failing' | 'rollback' | 'github' | 'github-missing';
/** In the order a crash point picks its action: the first one that goes through the state. */
const ACTIONS: readonly Action[] = ['deploy', 'preview', 'failing', 'rollback', 'github', 'github-missing'];
const REPOSITORY = 'octo/crash';
const WEBHOOK_SECRET = 'crash-webhook-secret-0123456789';

/**
 * States no action of this test can reach, and why. The test fails if a state is missing here and
 * unreached, or listed here and reached: a new state needs a scenario or a reason.
 */
const UNREACHABLE: Record<Machine, Record<string, string>> = {
  'slipway-build-and-deploy': {
    'Ticket refused': 'needs a forged ticket; the API only signs good ones',
    'Record building failed': 'needs DynamoDB to fail',
    'Prepare build failed': 'needs Prepare build to fail',
    'Scope build credentials failed': 'needs STS to fail',
    'Validate output failed': 'needs a hostile bundle (test/pipeline covers it)',
    'Promote failed': 'needs S3 to fail',
    'Take project stack turn failed': 'needs the stack turn step to fail',
    'Wait for project stack turn': 'needs another execution holding the stack turn',
    'Anything to update?': 'needs CloudFormation to refuse the update',
    'Count project stack busy waits': 'needs a stack change this execution did not make still running',
    'Wait for project stack to settle': 'needs a stack change this execution did not make still running',
    'Update project stack failed': 'needs the stack update to fail',
    'Describe unchanged project stack': 'needs a stack that already runs the deployment',
    'Describe unchanged project stack failed': 'needs DescribeStacks to fail',
    'Count Project stack update polls': 'needs a stack still in progress (locally an update settles before it returns)',
    'Wait for Project stack update': 'needs a stack still in progress (locally an update settles before it returns)',
    'Check Project stack update failed': 'needs DescribeStacks to fail',
    'Project stack update ended badly': 'needs a stack that rolls back',
    'Project stack update ended without a reason': 'needs a stack that rolls back without a reason',
    'Project stack update timed out': 'needs a stack still in progress after the last poll',
    'Release failed': 'needs Release to fail',
    'Record superseded': 'needs an older request to reach Release after a newer one',
    'Record superseded failed': 'needs an older request to reach Release after a newer one, and DynamoDB to fail',
    Superseded: 'needs an older request to reach Release after a newer one',
    'Record live failed': 'needs DynamoDB to fail',
    'Failure not summarised': 'needs Summarise failure itself to fail',
  },
  'slipway-rollback': {
    'Ticket refused': 'needs a forged ticket; the API only signs good ones',
    'Check target failed': 'the API refuses a bad target before starting',
    'Take project stack turn failed': 'needs the stack turn step to fail',
    'Wait for project stack turn': 'needs another execution holding the stack turn',
    'Anything to update?': 'needs CloudFormation to refuse the update',
    'Count project stack busy waits': 'needs a stack change this execution did not make still running',
    'Wait for project stack to settle': 'needs a stack change this execution did not make still running',
    'Update project stack failed': 'needs the stack update to fail',
    'Describe unchanged project stack': 'needs a stack that already runs the target',
    'Describe unchanged project stack failed': 'needs DescribeStacks to fail',
    'Count Project stack update polls': 'needs a stack still in progress (locally an update settles before it returns)',
    'Wait for Project stack update': 'needs a stack still in progress (locally an update settles before it returns)',
    'Check Project stack update failed': 'needs DescribeStacks to fail',
    'Project stack update ended badly': 'needs a stack that rolls back',
    'Project stack update ended without a reason': 'needs a stack that rolls back without a reason',
    'Project stack update timed out': 'needs a stack still in progress after the last poll',
    'Release failed': 'needs Release to fail',
    Superseded: 'needs a newer request to move the live pointer first',
    'Record rollback failed': 'needs DynamoDB to fail',
    'Summarise failure': 'only after one of the failures above',
    'Failure not summarised': 'needs Summarise failure itself to fail',
    'Record failure': 'only after one of the failures above',
    'Give project stack turn after failure': 'only after one of the failures above',
    Failed: 'only after one of the failures above',
  },
};

interface Definition {
  StartAt: string;
  States: Record<string, { Type: string; Resource?: string }>;
}

interface Platform {
  child: ChildProcess;
  port: number;
  token: string;
  exited: Promise<NodeJS.Signals | number | null>;
  output: () => string;
}

interface Scenario {
  machine: Machine;
  state: string;
  action: Action;
}

let template: string;
let registry: string | undefined;
let github: GithubTestServer;
/** The GitHub App settings and webhook secret every platform of this test starts with. */
let githubEnv: Record<string, string> = {};
const homes: string[] = [];
const platforms = new Set<Platform>();
const definitions = new Map<Machine, Definition>();
const visitedBy = new Map<Action, Map<Machine, Set<string>>>();
const startTimes: number[] = [];
/** The page text each deployment serves (its fixture version). */
const versions = new Map<string, string>();
let versionCounter = 0;

async function startPlatform(home: string, killAt?: Scenario): Promise<Platform> {
  rmSync(join(home, 'platform.json'), { force: true });
  const started = performance.now();
  const env: NodeJS.ProcessEnv = { ...process.env, ...githubEnv, SLIPWAY_HOME: home };
  // Asking npm for its registry costs every start a process; the test asks once.
  if (registry) env.npm_config_registry = registry;
  if (killAt) env.SLIPWAY_FAULT_KILL_AT_STATE = `${killAt.machine}:${killAt.state}`;
  else delete env.SLIPWAY_FAULT_KILL_AT_STATE;
  // Its own process group, so that the fault kills the platform and its children and not the test.
  const child = spawn(process.execPath, [CLI, 'up', '--port', '0', '--no-example'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | number | null>((done) => child.once('exit', (code, signal) => done(signal ?? code)));
  const info = join(home, 'platform.json');
  let gone = false;
  void exited.then(() => (gone = true));
  while (!existsSync(info)) {
    if (gone) throw new Error(`platform exited while starting:\n${output}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  startTimes.push(performance.now() - started);
  let platform: Platform;
  try {
    platform = {
      child,
      port: (JSON.parse(readFileSync(info, 'utf8')) as { port: number }).port,
      token: readFileSync(join(home, 'admin.token'), 'utf8').trim(),
      exited,
      output: () => output,
    };
  } catch (error) {
    // Not handed to the test yet, so nothing else would stop it: a failed start must not outlive the test.
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    throw error;
  }
  platforms.add(platform);
  void exited.then(() => platforms.delete(platform));
  return platform;
}

async function stopPlatform(platform: Platform): Promise<void> {
  if (platform.child.exitCode !== null || platform.child.signalCode !== null) return;
  platform.child.kill('SIGTERM');
  await platform.exited;
}

async function api(platform: Platform, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const response = await fetch(`http://localhost:${platform.port}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${platform.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined };
}

async function until<T>(what: string, within: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + within;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${within} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const page = (platform: Platform, host = `${PROJECT}.localhost:${platform.port}`) => hostRequest({ port: platform.port, host, path: '/' });
const versionOf = (text: string) => /<h1>crash-app (\S+)<\/h1>/.exec(text)?.[1];

/**
 * A request the platform may not live to answer: a crash in the first state can kill it while
 * StartExecution is still being answered. Undefined then.
 */
async function mayDie<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (error) {
    if ((error as Error).message === 'fetch failed') return undefined;
    throw error;
  }
}

/** The fixture as GitHub serves a commit's tarball: everything under one top-level directory. */
async function fixtureTarball(version: string, sha: string): Promise<Buffer> {
  const app = mkdtempSync(join(tmpdir(), 'slipway-crash-app-'));
  cpSync(FIXTURE, app, { recursive: true });
  writeFileSync(join(app, 'version.txt'), `${version}\n`);
  const chunks: Buffer[] = [];
  for await (const chunk of tar.c({ gzip: true, cwd: app, portable: true, prefix: `octo-crash-${sha.slice(0, 7)}` }, [
    '.',
  ]) as AsyncIterable<Buffer>)
    chunks.push(chunk);
  rmSync(app, { recursive: true, force: true });
  return Buffer.concat(chunks);
}

async function webhook(platform: Platform, event: string, payload: unknown): Promise<{ status: number; json: any }> {
  const body = JSON.stringify(payload);
  const response = await fetch(`http://localhost:${platform.port}/api/v1/webhooks/github`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-github-event': event,
      'x-github-delivery': randomUUID(),
      'x-hub-signature-256': await sign(WEBHOOK_SECRET, body),
    },
    body,
  });
  return { status: response.status, json: await response.json() };
}

/** A push of a new commit to the linked repository; `missing`: GitHub has no tarball for it, so *Fetch source* fails. */
async function startPush(
  platform: Platform,
  missing: boolean,
): Promise<{ status?: number; deploymentId?: string; version: string; commit: string }> {
  const version = `v${++versionCounter}`;
  const commit = randomBytes(20).toString('hex');
  if (!missing) github.tarballs.set(`${REPOSITORY}@${commit}`, await fixtureTarball(version, commit));
  const pushed = await mayDie(
    webhook(platform, 'push', {
      ref: 'refs/heads/main',
      after: commit,
      deleted: false,
      repository: { full_name: REPOSITORY, default_branch: 'main' },
      installation: { id: 5 },
    }),
  );
  const deploymentId = pushed?.json?.deliveries?.[0]?.deploymentId as string | undefined;
  if (deploymentId) versions.set(deploymentId, version);
  return { status: pushed?.status, ...(deploymentId ? { deploymentId } : {}), version, commit };
}

/** Uploads the fixture with a fresh version (or one that fails its build) and starts a deployment. */
async function startDeploy(
  platform: Platform,
  kind: 'deploy' | 'preview' | 'failing',
): Promise<{ status?: number; deployment?: any; version: string; sourceKey: string }> {
  const version = `${kind === 'failing' ? 'fail' : 'v'}${++versionCounter}`;
  const app = mkdtempSync(join(tmpdir(), 'slipway-crash-app-'));
  cpSync(FIXTURE, app, { recursive: true });
  writeFileSync(join(app, 'version.txt'), `${version}\n`);
  const { packSource } = (await import(join(ROOT, 'dist', 'cli', 'pack-source.js'))) as {
    packSource: (dir: string) => Promise<{ archive: Buffer }>;
  };
  const { archive } = await packSource(app);
  rmSync(app, { recursive: true, force: true });
  const source = await api(platform, 'POST', `/projects/${PROJECT}/sources`, { bytes: archive.length });
  expect(source.status, JSON.stringify(source.json)).toBe(201);
  const put = await fetch(source.json.uploadUrl, { method: 'PUT', headers: source.json.headers, body: new Uint8Array(archive) });
  expect(put.status).toBe(200);
  const sourceKey = source.json.source.key as string;
  const started = await mayDie(
    api(platform, 'POST', `/projects/${PROJECT}/deployments`, {
      source: { key: sourceKey },
      ...(kind === 'preview' ? { preview: PREVIEW } : {}),
    }),
  );
  if (started?.json?.deployment?.id) versions.set(started.json.deployment.id, version);
  return { status: started?.status, deployment: started?.json?.deployment, version, sourceKey };
}

async function project(platform: Platform): Promise<any> {
  return (await api(platform, 'GET', `/projects/${PROJECT}`)).json.project;
}

async function deployments(platform: Platform): Promise<any[]> {
  return (await api(platform, 'GET', `/projects/${PROJECT}/deployments`)).json.deployments as any[];
}

/** What a crashed action started, and what was live before it. */
interface Pending {
  scenario: Scenario;
  deploymentId?: string;
  /** Set when the platform died before answering: the deployment is found by its source (or commit) after the restart. */
  lost?: { sourceKey?: string; commit?: string; version: string };
  rollback?: { target: string; executionName?: string };
  liveBefore: string;
}

async function startAction(platform: Platform, scenario: Scenario): Promise<Pending> {
  const liveBefore = (await project(platform)).liveDeploymentId as string;
  if (scenario.action === 'rollback') {
    const target = (await deployments(platform)).find((d) => d.status === 'LIVE' && d.id !== liveBefore && !d.preview);
    expect(target, 'a deployment to roll back to').toBeDefined();
    const started = await mayDie(api(platform, 'POST', `/projects/${PROJECT}/rollback`, { deploymentId: target.id }));
    if (started) expect(started.status, JSON.stringify(started.json)).toBe(202);
    return {
      scenario,
      liveBefore,
      rollback: { target: target.id, ...(started ? { executionName: started.json.rollback.executionName } : {}) },
    };
  }
  if (scenario.action === 'github' || scenario.action === 'github-missing') {
    const pushed = await startPush(platform, scenario.action === 'github-missing');
    if (pushed.status === undefined) return { scenario, liveBefore, lost: { commit: pushed.commit, version: pushed.version } };
    expect(pushed.status).toBe(202);
    return { scenario, liveBefore, deploymentId: pushed.deploymentId as string };
  }
  const started = await startDeploy(platform, scenario.action);
  if (started.status === undefined) return { scenario, liveBefore, lost: { sourceKey: started.sourceKey, version: started.version } };
  // concurrentBuilds is 1: a slot leaked by the previous crash would refuse this with 429.
  expect(started.status, JSON.stringify(started.deployment)).toBe(202);
  return { scenario, liveBefore, deploymentId: started.deployment.id };
}

/** Runs after the restart that follows the crash of `pending`. */
async function checkRecovered(platform: Platform, pending: Pending): Promise<{ failedByCrash?: string }> {
  const { scenario } = pending;
  const label = `${scenario.machine}:${scenario.state}`;
  if (pending.lost) {
    const { sourceKey, commit, version } = pending.lost;
    const found = (await deployments(platform)).find(
      (d) => (sourceKey !== undefined && d.source?.key === sourceKey) || (commit !== undefined && d.github?.commit === commit),
    );
    expect(found, `${label}: the deployment the API wrote before dying`).toBeDefined();
    versions.set(found.id, version);
    pending.deploymentId = found.id;
  }
  // Right after the restart the edge serves a version that was live: the one before, or the new one if the resumed release already moved the pointer.
  const first = await page(platform);
  expect(first.status, label).toBe(200);
  const served = versionOf(first.text);
  const acceptable = [
    versions.get(pending.liveBefore),
    pending.deploymentId && versions.get(pending.deploymentId),
    pending.rollback && versions.get(pending.rollback.target),
  ];
  expect(acceptable, `${label}: served ${served}`).toContain(served);

  const failingAction = scenario.action === 'failing' || scenario.action === 'github-missing';
  const expectFailure =
    failingAction || definitions.get(scenario.machine)?.States[scenario.state]?.Resource?.startsWith('arn:aws:states:::batch:');
  let failedByCrash: string | undefined;
  if (pending.deploymentId) {
    const id = pending.deploymentId;
    const ended = await until(`${label}: deployment ${id} ends`, 60_000, async () => {
      const { json } = await api(platform, 'GET', `/projects/${PROJECT}/deployments/${id}`);
      return ['LIVE', 'FAILED'].includes(json.deployment.status) ? json.deployment : undefined;
    });
    if (expectFailure) {
      expect(ended.status, label).toBe('FAILED');
      expect(ended.failedState, label).toEqual(expect.any(String));
      expect(ended.error, label).toEqual(expect.any(String));
      expect(ended.cause, label).toEqual(expect.any(String));
      if (!failingAction) {
        expect(ended, label).toMatchObject({
          failedState: scenario.state,
          error: 'Slipway.PlatformRestarted',
          cause: 'platform restarted',
        });
        failedByCrash = ended.executionName;
      }
    } else {
      expect(ended.status, `${label}: ${ended.cause ?? ''}`).toBe('LIVE');
    }
    // Redriven from where it stood: the states it had finished were not run again.
    const { json } = await api(platform, 'GET', `/projects/${PROJECT}/deployments/${id}/execution`);
    const view = json.execution as { redriveCount?: number; states: Array<{ name: string; status: string }> };
    expect(view.redriveCount, label).toBeGreaterThanOrEqual(1);
    const entered = view.states.map((state) => state.name);
    for (const name of new Set(entered)) {
      expect(entered.filter((n) => n === name).length, `${label}: ${name} entered`).toBeLessThanOrEqual(name === scenario.state ? 2 : 1);
    }
    if (scenario.action === 'preview') {
      const preview = await hostRequest({ port: platform.port, host: `${PROJECT}--${PREVIEW}.localhost:${platform.port}`, path: '/' });
      expect(versionOf(preview.text), label).toBe(versions.get(id));
    }
  } else if (pending.rollback) {
    const { target } = pending.rollback;
    await until(`${label}: rollback to ${target} recorded`, 60_000, async () => {
      const p = await project(platform);
      return p.liveDeploymentId === target && p.rolledBackTo === target ? p : undefined;
    });
  }

  // Nothing half-written: the pointer names a LIVE deployment, the edge serves it, nothing is left in flight.
  const current = await project(platform);
  expect(current.status, label).toBe('READY');
  const all = await deployments(platform);
  expect(all.find((d) => d.id === current.liveDeploymentId)?.status, label).toBe('LIVE');
  expect(
    all.filter((d) => ['QUEUED', 'BUILDING'].includes(d.status)).map((d) => d.id),
    label,
  ).toEqual([]);
  expect(versionOf((await page(platform)).text), label).toBe(versions.get(current.liveDeploymentId));
  return failedByCrash ? { failedByCrash } : {};
}

async function runChain(home: string, scenarios: Scenario[]): Promise<{ done: string[]; retried: string[] }> {
  const done: string[] = [];
  const failedByCrash: string[] = [];
  let pending: Pending | undefined;
  for (const scenario of scenarios) {
    const platform = await startPlatform(home, scenario);
    try {
      if (pending) {
        const outcome = await checkRecovered(platform, pending);
        if (outcome.failedByCrash) failedByCrash.push(outcome.failedByCrash);
        done.push(`${pending.scenario.machine}:${pending.scenario.state}`);
      }
      pending = await startAction(platform, scenario);
      const how = await Promise.race([platform.exited, new Promise((r) => setTimeout(() => r('still running'), 30_000))]);
      expect(how, `${scenario.machine}:${scenario.state}: the platform killed itself\n${platform.output()}`).toBe('SIGKILL');
    } finally {
      if (platforms.has(platform)) await stopPlatform(platform);
    }
  }
  const platform = await startPlatform(home);
  const retried: string[] = [];
  try {
    if (pending) {
      const outcome = await checkRecovered(platform, pending);
      if (outcome.failedByCrash) failedByCrash.push(outcome.failedByCrash);
      done.push(`${pending.scenario.machine}:${pending.scenario.state}`);
    }
    // A deployment the crash failed goes live when retried.
    for (const executionName of failedByCrash) {
      const retry = await api(platform, 'POST', `/admin/executions/${executionName}/retry`);
      expect(retry.status, JSON.stringify(retry.json)).toBe(202);
      const id = retry.json.deployment.id as string;
      const original = (await deployments(platform)).find((d) => d.executionName === executionName);
      versions.set(id, versions.get(original.id) as string);
      const ended = await until(`retry ${id} ends`, 60_000, async () => {
        const { json } = await api(platform, 'GET', `/projects/${PROJECT}/deployments/${id}`);
        return ['LIVE', 'FAILED'].includes(json.deployment.status) ? json.deployment : undefined;
      });
      expect(ended.status, ended.cause).toBe('LIVE');
      expect(versionOf((await page(platform)).text)).toBe(versions.get(id));
      retried.push(executionName);
    }
  } finally {
    await stopPlatform(platform);
  }
  return { done, retried };
}

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm run build` before this test');
  try {
    execFileSync('bwrap', ['--version'], { stdio: 'ignore' });
  } catch {
    throw new Error('this test needs bubblewrap (the `bwrap` command, Debian package bubblewrap): builds run in its sandbox');
  }
  try {
    registry = execFileSync('npm', ['config', 'get', 'registry'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    registry = undefined;
  }

  // One prepared home: a project whose owner may run one build at a time, two live versions, a
  // preview, a failed build and a rollback — and which states each of those actions goes through.
  template = mkdtempSync(join(tmpdir(), 'slipway-crash-home-'));
  homes.push(template);
  // Chains copy the template home, cache included: no platform of this test synthesizes the workflows.
  seedPlatformHome(template);
  github = await startGithubServer();
  const secretFile = join(template, 'github-webhook.secret');
  writeFileSync(secretFile, WEBHOOK_SECRET, { mode: 0o600 });
  githubEnv = { ...github.environment(template), SLIPWAY_GITHUB_WEBHOOK_SECRET_FILE: secretFile };
  const platform = await startPlatform(template);
  try {
    const limits = (await api(platform, 'GET', '/me/limits')).json.limits;
    expect((await api(platform, 'PUT', '/admin/subscriptions/one-build', { limits: { ...limits, concurrentBuilds: 1 } })).status).toBe(200);
    expect((await api(platform, 'PUT', '/admin/users/admin/subscription', { subscription: 'one-build' })).status).toBe(200);
    expect((await api(platform, 'POST', '/projects', { name: PROJECT })).status).toBe(202);
    await until('project READY', 30_000, async () => ((await project(platform))?.status === 'READY' ? true : undefined));
    expect(
      (
        await webhook(platform, 'installation', {
          action: 'created',
          installation: { id: 5, account: { login: 'admin' } },
          repositories: [{ full_name: REPOSITORY }],
        })
      ).status,
    ).toBe(202);
    expect((await api(platform, 'PUT', `/projects/${PROJECT}/repository`, { repository: REPOSITORY })).status).toBe(200);
    const executions = new Map<Action, string>();
    for (const action of ['deploy', 'deploy', 'preview', 'failing', 'github', 'github-missing', 'rollback'] as const) {
      const pending = await startAction(platform, {
        machine: action === 'rollback' ? 'slipway-rollback' : 'slipway-build-and-deploy',
        state: '',
        action,
      });
      if (pending.rollback) {
        const { target } = pending.rollback;
        await until('rollback', 30_000, async () => ((await project(platform)).liveDeploymentId === target ? true : undefined));
        // The pointer moves before the workflow's last states run: wait for the execution to end, or
        // its history is read while the rollback is still on its way to "Rolled back".
        const executionName = pending.rollback.executionName as string;
        await until('rollback execution ends', 30_000, async () => {
          const { json } = await api(platform, 'GET', '/executions');
          const listed = (json.executions as Array<{ name: string; status: string }>).find((e) => e.name === executionName);
          return listed && listed.status !== 'RUNNING' ? listed : undefined;
        });
        executions.set(action, executionName);
      } else {
        const id = pending.deploymentId as string;
        const ended = await until(`${action} ends`, 60_000, async () => {
          const { json } = await api(platform, 'GET', `/projects/${PROJECT}/deployments/${id}`);
          return ['LIVE', 'FAILED'].includes(json.deployment.status) ? json.deployment : undefined;
        });
        expect(ended.status, `${action}: ${ended.cause ?? ''}\n${platform.output()}`).toBe(
          action === 'failing' || action === 'github-missing' ? 'FAILED' : 'LIVE',
        );
        executions.set(action, ended.executionName);
      }
    }
    // Every state each action entered, from the histories the engine keeps.
    for (const [action, name] of executions) {
      const machine: Machine = action === 'rollback' ? 'slipway-rollback' : 'slipway-build-and-deploy';
      const record = JSON.parse(readFileSync(join(template, 'executions', `${encodeURIComponent(`${machine}.${name}`)}.json`), 'utf8')) as {
        events: Array<{ stateEnteredEventDetails?: { name: string } }>;
      };
      const entered = new Set(record.events.flatMap((e) => (e.stateEnteredEventDetails ? [e.stateEnteredEventDetails.name] : [])));
      visitedBy.set(action, new Map([[machine, entered]]));
    }
  } finally {
    await stopPlatform(platform);
  }
  // The definitions the platform ran, as its cache holds them.
  const { synthesizeWorkflowsCached } = (await import(join(ROOT, 'dist', 'infra', 'local', 'engine', 'synthesized-workflows.js'))) as {
    synthesizeWorkflowsCached: (dir: string) => Promise<{ workflows: Map<string, { definition: Definition }> }>;
  };
  const synthesized = await synthesizeWorkflowsCached(join(template, 'cache'));
  for (const machine of MACHINES) definitions.set(machine, (synthesized.workflows.get(machine) as { definition: Definition }).definition);
}, 300_000);

afterAll(async () => {
  for (const platform of platforms) {
    try {
      process.kill(-(platform.child.pid as number), 'SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const home of homes) rmSync(home, { recursive: true, force: true, maxRetries: 5 });
  await github?.close();
  if (startTimes.length)
    console.log(`crash-recovery: ${startTimes.length} platform starts, ${startTimes.map((t) => Math.round(t)).join(' ')} ms`);
});

describe('a platform killed at any state of a deployment or rollback recovers', () => {
  it('resumes or fails every interrupted execution through its own failure path, leaks nothing, and a retry goes live', {
    timeout: 600_000,
  }, async () => {
    const scenarios: Scenario[] = [];
    const unreached: Record<Machine, string[]> = { 'slipway-build-and-deploy': [], 'slipway-rollback': [] };
    for (const machine of MACHINES) {
      for (const state of Object.keys((definitions.get(machine) as Definition).States)) {
        const action = ACTIONS.find((a) => visitedBy.get(a)?.get(machine)?.has(state));
        if (action) scenarios.push({ machine, state, action });
        else unreached[machine].push(state);
      }
    }
    for (const machine of MACHINES) expect(unreached[machine].sort(), machine).toEqual(Object.keys(UNREACHABLE[machine]).sort());

    const chains: Scenario[][] = Array.from({ length: CHAINS }, () => []);
    for (const [i, scenario] of scenarios.entries()) chains[i % CHAINS]?.push(scenario);
    const results = await Promise.all(
      chains.map((chain) => {
        const home = mkdtempSync(join(tmpdir(), 'slipway-crash-chain-'));
        homes.push(home);
        cpSync(template, home, { recursive: true });
        return runChain(home, chain);
      }),
    );
    expect(results.flatMap((r) => r.done).sort()).toEqual(scenarios.map((s) => `${s.machine}:${s.state}`).sort());
    // The Batch build is the state a crash fails rather than resumes: its deployment was retried.
    expect(results.flatMap((r) => r.retried)).toHaveLength(scenarios.filter((s) => s.state === 'Build' && s.action !== 'failing').length);
  });
});
