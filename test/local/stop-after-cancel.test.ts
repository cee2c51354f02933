import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, watch, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sizedWorkspacesAvailable } from '../../infra/local/sandbox/disk.js';
import { ROOT, startPlatformProcess, type PlatformProcess } from '../support/platform-process.js';
import { requireSandboxTools } from '../support/sandbox-tools.js';

/**
 * `slipway up` stopped (SIGTERM) right after a deployment was cancelled during its build: the
 * cancelled build's sandbox is torn down before the platform exits (its workspace unmounted and
 * removed, its cgroups gone, its processes ended), not left for the next start to clean up.
 * test/local/batch/sandbox.test.ts checks the same of the runner alone, at each moment of a job.
 */
const FIXTURE = join(ROOT, 'test', 'security', 'fixtures', 'crash-app');
const PROJECT = 'stopping';
const MARKER = `slipway-slow-build-${randomBytes(6).toString('hex')}`;

let home: string;
let app: string;
let platform: PlatformProcess;
let token: string;

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const response = await fetch(`http://localhost:${platform.port}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined };
}

async function until<T>(what: string, check: () => Promise<T | undefined> | T | undefined, ms = 60_000): Promise<T> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
    const value = await check();
    if (value !== undefined) return value;
  }
  throw new Error(`timed out waiting until ${what}:\n${platform.output()}`);
}

/** Mount points at or below `dir` in this process's mount table. */
function mountsUnder(dir: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((point) => point === dir || point.startsWith(`${dir}${sep}`));
}

/** The slow build's processes, wherever they run (the host sees into every sandbox). */
function buildProcesses(): string[] {
  return execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.includes(MARKER) && !line.includes('ps -eo'));
}

/** The cgroups a sandbox of the platform `pid` is given: `slipway-<pid>-…` beside it (infra/local/sandbox/cgroup.ts). */
function sandboxCgroups(pid: number): string[] {
  const found: string[] = [];
  for (const line of readFileSync('/proc/self/cgroup', 'utf8').split('\n')) {
    const [, controllers, path] = line.split(':');
    if (!controllers || path === undefined) continue;
    for (const name of controllers.split(',').filter((controller) => ['memory', 'pids', 'cpu'].includes(controller))) {
      const hierarchy = [join('/sys/fs/cgroup', name), '/sys/fs/cgroup/cpu,cpuacct'].find((dir) => existsSync(join(dir, 'cgroup.procs')));
      if (!hierarchy) continue;
      for (const entry of readdirSync(join(hierarchy, path)))
        if (entry.startsWith(`slipway-${pid}-`)) found.push(join(hierarchy, path, entry));
    }
  }
  return found;
}

beforeAll(async () => {
  requireSandboxTools();
  home = mkdtempSync(join(tmpdir(), 'slipway-stop-home-'));
  // Never skipped: a machine that cannot loop-mount a workspace fails here, naming what is missing.
  if (!(await sizedWorkspacesAvailable(home))) throw new Error('loop-mounted workspaces need root, mount and mkfs.ext4 (e2fsprogs)');
  app = mkdtempSync(join(tmpdir(), 'slipway-stop-app-'));
  cpSync(FIXTURE, app, { recursive: true });
  writeFileSync(join(app, 'version.txt'), 'v1\n');
  // A build that runs until it is stopped; its argv carries the marker the test looks for.
  writeFileSync(join(app, 'slow-build.mjs'), 'setInterval(() => {}, 1000);\n');
  const manifest = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  manifest.scripts.build = `node slow-build.mjs ${MARKER}`;
  writeFileSync(join(app, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);

  // Where the platform puts build workspaces: made here, so the test can watch it from the start.
  mkdirSync(join(home, 'builds'));
  platform = await startPlatformProcess(home);
  token = readFileSync(join(home, 'admin.token'), 'utf8').trim();
  expect((await api('POST', '/projects', { name: PROJECT })).status).toBe(202);
  await until('the project is READY', async () =>
    (await api('GET', `/projects/${PROJECT}`)).json.project.status === 'READY' ? true : undefined,
  );
}, 120_000);

afterAll(async () => {
  await platform?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
  if (app) rmSync(app, { recursive: true, force: true });
});

describe('stopping the platform right after a cancel', () => {
  it("waits for the cancelled build's sandbox teardown: nothing of it is left mounted, running or in a cgroup", async () => {
    const { packSource } = (await import(join(ROOT, 'dist', 'cli', 'pack-source.js'))) as {
      packSource: (dir: string) => Promise<{ archive: Buffer }>;
    };
    const { archive } = await packSource(app);
    const source = await api('POST', `/projects/${PROJECT}/sources`, { bytes: archive.length });
    expect(source.status, JSON.stringify(source.json)).toBe(201);
    const put = await fetch(source.json.uploadUrl, { method: 'PUT', headers: source.json.headers, body: new Uint8Array(archive) });
    expect(put.status).toBe(200);
    // Cancelled the moment its workspace appears: while its sandbox is still being set up, the
    // narrowest moment (the stop must not be missed there, nor the teardown cut short by the exit).
    const builds = realpathSync(join(home, 'builds'));
    const workspaceAppeared = new Promise<void>((resolvePromise) => {
      const watcher = watch(builds, (_event, name) => {
        if (!name?.startsWith('slipway-build-')) return;
        watcher.close();
        resolvePromise();
      });
    });
    const started = await api('POST', `/projects/${PROJECT}/deployments`, { source: { key: source.json.source.key } });
    expect(started.status, JSON.stringify(started.json)).toBe(202);
    const id = started.json.deployment.id as string;
    await workspaceAppeared;

    const cancelled = await api('POST', `/projects/${PROJECT}/deployments/${id}/cancel`);
    expect(cancelled.status, JSON.stringify(cancelled.json)).toBe(202);
    // At once: the sandbox may not even have seen its kill yet.
    await platform.stop();
    expect(platform.child.exitCode).toBe(0);

    expect(mountsUnder(builds)).toEqual([]);
    expect(readdirSync(builds).filter((entry) => entry.startsWith('slipway-build'))).toEqual([]);
    expect(buildProcesses()).toEqual([]);
    expect(sandboxCgroups(platform.pid)).toEqual([]);
    expect(platform.output()).toContain('slipway: stopping');
  }, 120_000);
});
