import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STAGING_ROOT, stageMounts } from '../../../infra/local/sandbox/staging.js';

/** Mount points of this process's staging folders (`<STAGING_ROOT>/<pid>-…`), from the mount table. */
function ownStagingMounts(): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((mountPoint) => mountPoint.startsWith(`${STAGING_ROOT}/${process.pid}-`));
}

const ownStagingFolders = (): string[] => readdirSync(STAGING_ROOT).filter((name) => name.startsWith(`${process.pid}-`));

describe('staging mounts (what bwrap binds a sandbox from)', () => {
  const root = mkdtempSync(join(tmpdir(), 'slipway-staging-'));
  const sources = ['a', 'b', 'c'].map((name) => {
    const dir = join(root, name);
    mkdirSync(dir);
    return dir;
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('binds each source at its own staged path, and release removes every mount and folder', async () => {
    for (const [index, dir] of sources.entries()) writeFileSync(join(dir, 'which'), String(index));
    const staged = await stageMounts(sources);
    expect(staged.sources).toHaveLength(3);
    for (const [index, path] of staged.sources.entries()) expect(readFileSync(join(path, 'which'), 'utf8')).toBe(String(index));
    expect(ownStagingMounts()).toHaveLength(3);
    await staged.release();
    expect(ownStagingMounts()).toEqual([]);
    expect(staged.sources.some((path) => existsSync(path))).toBe(false);
  });

  it('a source that cannot be bound fails the staging and leaves no mount of the others behind', async () => {
    const [first, second] = sources as [string, string];
    await expect(stageMounts([first, join(root, 'missing'), second])).rejects.toThrow();
    expect(ownStagingMounts()).toEqual([]);
    expect(ownStagingFolders()).toEqual([]);
  });
});
