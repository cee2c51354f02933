import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSizedWorkspace, sizedWorkspacesAvailable } from '../../../infra/local/sandbox/disk.js';
import { reapStaleWorkspaces } from '../../../infra/local/sandbox/reap-stale.js';

const mounted = (path: string) => readFileSync('/proc/self/mountinfo', 'utf8').includes(` ${path} `);

describe('build workspaces a dead platform left mounted', () => {
  let workRoot: string;
  beforeAll(async () => {
    workRoot = await mkdtemp(join(tmpdir(), 'slipway-reap-'));
    // Never skipped: a machine that cannot loop-mount fails here, naming what is missing.
    if (!(await sizedWorkspacesAvailable(workRoot))) throw new Error('loop-mounted workspaces need root, mount and mkfs.ext4 (e2fsprogs)');
  });
  afterAll(async () => {
    await rm(workRoot, { recursive: true, force: true });
  });

  it('are unmounted and removed with their image and socket folder at the next start; a kept plain folder stays', async () => {
    // What a job's teardown would have removed, had the platform not been killed first.
    const workspace = await createSizedWorkspace(join(workRoot, 'slipway-build-stale'), 16, 0);
    await writeFile(join(workspace.path, 'left-behind.txt'), 'from the killed build');
    await mkdir(`${workspace.path}.s3`);
    const kept = join(workRoot, 'keep-debug');
    await mkdir(kept);
    expect(mounted(workspace.path)).toBe(true);

    reapStaleWorkspaces(workRoot);

    expect(mounted(workspace.path)).toBe(false);
    expect(existsSync(workspace.path)).toBe(false);
    expect(existsSync(`${workspace.path}.img`)).toBe(false);
    expect(existsSync(`${workspace.path}.s3`)).toBe(false);
    expect(existsSync(kept)).toBe(true);
  });
});
