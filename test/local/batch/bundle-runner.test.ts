import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freshRunnerBundle } from '../../../infra/local/batch/bundle-runner.js';

describe('the build runner bundle the local sandbox runs', () => {
  let dir: string;
  let main: string;
  let bundle: string;
  let input: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slipway-runner-bundle-'));
    main = join(dir, 'main.js');
    bundle = join(dir, 'bundle', 'main.js');
    input = join(dir, 'runner', 'build.js');
    await mkdir(join(dir, 'bundle'));
    await mkdir(join(dir, 'runner'));
    await writeFile(main, '');
    await writeFile(input, '');
    await writeFile(bundle, '');
    await writeFile(join(dir, 'bundle', 'inputs.json'), JSON.stringify([main, input]));
    // Made one minute after its inputs were compiled.
    const compiled = new Date(Date.now() - 120_000);
    await utimes(main, compiled, compiled);
    await utimes(input, compiled, compiled);
    const bundled = new Date(Date.now() - 60_000);
    await utimes(bundle, bundled, bundled);
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('is run while no file it was made from changed since', () => {
    expect(freshRunnerBundle(main)).toBe(bundle);
  });

  it('is not run once a module it was made from was compiled again (a build without the bundling step)', async () => {
    const now = new Date();
    await utimes(input, now, now);
    expect(freshRunnerBundle(main)).toBeUndefined();
  });

  it('is not run without the list of what it was made from, or when one of those is gone', async () => {
    await rm(input);
    expect(freshRunnerBundle(main)).toBeUndefined();
    await rm(join(dir, 'bundle', 'inputs.json'));
    expect(freshRunnerBundle(main)).toBeUndefined();
  });

  it('is not run when there is none', async () => {
    await rm(bundle);
    expect(freshRunnerBundle(main)).toBeUndefined();
  });
});
