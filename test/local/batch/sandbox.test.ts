import { existsSync, readFileSync, watch } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandboxRunner, type SandboxOptions, type SandboxRunner } from '../../../infra/local/batch/sandbox.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..', '..', '..');
const jobScript = join(here, 'fixtures', 'job.mjs');

interface Report {
  cwd: string;
  env: Record<string, string>;
  pid1Environ: { ok: boolean; value?: string };
  writeWorkspace: { ok: boolean; value?: string };
  writeOutside: { ok: boolean; code?: string };
  readSecret: { ok: boolean; value?: string; code?: string };
  listState: { ok: boolean; value?: string[] };
}

async function until(check: () => boolean, ms = 20_000): Promise<void> {
  for (const deadline = Date.now() + ms; !check(); await new Promise((r) => setTimeout(r, 50))) {
    if (Date.now() > deadline) throw new Error('timed out');
  }
}

/** Mount points below `dir` in this process's mount table. */
function mountsUnder(dir: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((point) => point.startsWith(`${dir}/`));
}

describe('sandboxed build job runner (bubblewrap)', () => {
  let stateDir: string;
  let workRoot: string;
  const probe = `probe-${Math.random().toString(36).slice(2)}`;
  const secretValue = `secret-${Math.random().toString(36).slice(2)}`;

  beforeAll(async () => {
    // The platform state lives outside /tmp here, so hiding it is not a side effect of the /tmp tmpfs.
    stateDir = await mkdtemp(join(here, '.state-'));
    workRoot = join(stateDir, 'builds');
    await mkdir(workRoot, { recursive: true });
    await writeFile(join(stateDir, 'admin-token'), secretValue);
    process.env.SLIPWAY_SECRET_PROBE = probe;
  });

  /** Every runner made here: their jobs' teardowns finish before the state directory goes. */
  const runners: SandboxRunner[] = [];

  afterAll(async () => {
    delete process.env.SLIPWAY_SECRET_PROBE;
    await Promise.all(runners.map((run) => run.cleanedUp()));
    await rm(stateDir, { recursive: true, force: true });
  });

  function runner(extra: Partial<SandboxOptions> = {}) {
    const lines: string[] = [];
    const run = createSandboxRunner({
      workRoot,
      hiddenPaths: [stateDir],
      baseEnvironment: { SLIPWAY_BUILD_BUCKET: 'slipway-builds', AWS_ACCESS_KEY_ID: 'local' },
      command: [process.execPath, jobScript],
      onLog: (jobName, line) => lines.push(`${jobName}|${line}`),
      ...extra,
    });
    runners.push(run);
    return { run, lines };
  }

  async function report(): Promise<{ report: Report; lines: string[]; result: unknown; run: SandboxRunner }> {
    const { run, lines } = runner();
    const result = await run({
      jobName: 'build-d-1',
      timeoutSeconds: 30,
      environment: {
        JOB_MODE: 'report',
        SLIPWAY_BUILD_ID: 'd-1',
        PROBE_WRITE_OUTSIDE: join(repoRoot, 'escaped-from-sandbox.txt'),
        PROBE_SECRET_FILE: join(stateDir, 'admin-token'),
        PROBE_STATE_DIR: stateDir,
      },
    });
    const line = lines.find((entry) => entry.startsWith('build-d-1|REPORT '));
    expect(line).toBeDefined();
    return { report: JSON.parse((line as string).slice('build-d-1|REPORT '.length)) as Report, lines, result, run };
  }

  it('runs the job and resolves SUCCEEDED, passing every output line to onLog', async () => {
    const { lines, result } = await report();
    expect(result).toMatchObject({ status: 'SUCCEEDED' });
    expect((result as { jobId: string }).jobId).toMatch(/^local-build-d-1-/);
    expect(lines).toContain('build-d-1|first line');
    expect(lines).toContain('build-d-1|a line on stderr');
  });

  it('scrubs the environment down to the request, the base environment and the sandbox variables', async () => {
    const { report: r } = await report();
    expect(r.env.SLIPWAY_SECRET_PROBE).toBeUndefined();
    expect(JSON.stringify(r.env)).not.toContain(probe);
    expect(r.env.SLIPWAY_BUILD_ID).toBe('d-1');
    expect(r.env.SLIPWAY_BUILD_BUCKET).toBe('slipway-builds');
    expect(r.env.AWS_ACCESS_KEY_ID).toBe('local');
    expect(r.env.HOME).toBe(r.cwd);
    expect(r.env.SLIPWAY_WORKSPACE).toBe(r.cwd);
    // One cache per uid slot of the build queue (the slot is free once the job before is torn down).
    expect(dirname(r.env.npm_config_cache ?? '')).toBe(join(workRoot, '.npm-cache'));
    expect(basename(r.env.npm_config_cache ?? '')).toMatch(/^\d+$/);
    expect(r.env.PATH).toBeTruthy();
    // Nor can it be read from the sandbox's PID 1.
    expect(r.pid1Environ.value ?? '').not.toContain(probe);
  });

  it('hides the platform state and secrets', async () => {
    const { report: r } = await report();
    expect(r.readSecret.ok).toBe(false);
    expect(r.readSecret.code).toBe('ENOENT');
    // Only the mount point leading to the workspace shows in the hidden directory.
    expect(r.listState.value ?? []).not.toContain('admin-token');
  });

  it('gives a writable workspace as cwd and removes it afterwards', async () => {
    const { report: r, run } = await report();
    expect(r.cwd.startsWith(join(workRoot, 'build-d-1-'))).toBe(true);
    expect(r.writeWorkspace).toEqual({ ok: true, value: 'built' });
    // The job's result does not wait for the teardown; cleanedUp does.
    await run.cleanedUp();
    expect(existsSync(r.cwd)).toBe(false);
    expect(await readdir(workRoot)).toEqual(['.npm-cache']);
  });

  it('does not let the job write outside its workspace', async () => {
    const { report: r } = await report();
    expect(r.writeOutside.ok).toBe(false);
    expect(r.writeOutside.code).toBe('EROFS');
    expect(existsSync(join(repoRoot, 'escaped-from-sandbox.txt'))).toBe(false);
  });

  it('keeps the workspace when asked to', async () => {
    const { run } = runner({ keepWorkspaces: true });
    await run({ jobName: 'keep', timeoutSeconds: 30, environment: { JOB_MODE: 'ok' } });
    const entries = await readdir(workRoot);
    const kept = entries.filter((entry) => entry.startsWith('keep-'));
    expect(kept).toHaveLength(1);
    await rm(join(workRoot, kept[0] as string), { recursive: true, force: true });
  });

  it('kills a job that outlives its timeout and rejects with States.Timeout', async () => {
    const { run, lines } = runner();
    const started = Date.now();
    const error = (await run({ jobName: 'slow', timeoutSeconds: 1, environment: { JOB_MODE: 'hang' } }).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('States.Timeout');
    expect(error.message).toBe('build job slow timed out after 1 s');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(lines).toContain('slow|hanging');
    await run.cleanedUp();
    expect((await readdir(workRoot)).filter((entry) => entry.startsWith('slow-'))).toEqual([]);
  });

  it('tears a stopped job down before cleanedUp resolves, even when asked the moment it is stopped', async () => {
    const { run, lines } = runner();
    const stop = new AbortController();
    const job = run({ jobName: 'stopped', timeoutSeconds: 30, environment: { JOB_MODE: 'hang' } }, { signal: stop.signal });
    const outcome = job.then(
      () => undefined,
      (error: unknown) => error as Error,
    );
    await until(() => lines.includes('stopped|hanging'));
    // The workspace, and its disk image when it is loop-mounted.
    const workspaces = () => readdir(workRoot).then((entries) => entries.filter((entry) => entry.startsWith('stopped-')));
    expect((await workspaces()).filter((entry) => /^stopped-[A-Za-z0-9]+$/.test(entry))).toHaveLength(1);
    // What a platform closing right after a cancel does: its engine has already forgotten the execution.
    stop.abort();
    await run.cleanedUp();
    expect(await workspaces()).toEqual([]);
    expect(mountsUnder(workRoot)).toEqual([]);
    expect((await outcome)?.name).toBe('Batch.JobCancelled');
  });

  it('cancels a job stopped while its workspace and sandbox are being set up, rather than running it to its timeout', async () => {
    const { run, lines } = runner();
    const stop = new AbortController();
    // Stopped as soon as its workspace folder appears: before its sandbox has started.
    const watcher = watch(workRoot, (_event, name) => {
      if (name?.startsWith('setting-up-')) stop.abort();
    });
    const started = Date.now();
    try {
      const error = (await run(
        { jobName: 'setting-up', timeoutSeconds: 20, environment: { JOB_MODE: 'hang' } },
        { signal: stop.signal },
      ).catch((e: unknown) => e)) as Error;
      expect(stop.signal.aborted).toBe(true);
      expect(error.name).toBe('Batch.JobCancelled');
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(lines).not.toContain('setting-up|hanging');
    } finally {
      watcher.close();
    }
    await run.cleanedUp();
    expect((await readdir(workRoot)).filter((entry) => entry.startsWith('setting-up-'))).toEqual([]);
  });

  it('rejects a failing job with States.TaskFailed and the last "build failed" reason', async () => {
    const { run } = runner();
    const error = (await run({ jobName: 'broken', timeoutSeconds: 30, environment: { JOB_MODE: 'fail' } }).catch(
      (e: unknown) => e,
    )) as Error;
    expect(error.name).toBe('States.TaskFailed');
    expect(error.message).toContain('npm ci exited with code 1');
    expect(error.message).not.toContain('an earlier reason');
  });

  it('falls back to the exit code and the last stderr lines', async () => {
    const { run } = runner();
    const error = (await run({ jobName: 'crashed', timeoutSeconds: 30, environment: { JOB_MODE: 'crash' } }).catch(
      (e: unknown) => e,
    )) as Error;
    expect(error.name).toBe('States.TaskFailed');
    expect(error.message).toContain('exited with code 3');
    expect(error.message).toContain('boom: the last words');
  });

  it('refuses to run unsandboxed when bwrap is missing', async () => {
    const { run } = runner({ bwrapPath: join(stateDir, 'no-such-bwrap') });
    const error = (await run({ jobName: 'nobwrap', timeoutSeconds: 30, environment: { JOB_MODE: 'ok' } }).catch(
      (e: unknown) => e,
    )) as Error;
    expect(error.message).toMatch(/install the "bubblewrap" package/);
  });
});
