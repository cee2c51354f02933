import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { routeCacheProjectsFlag } from '../../cli/route-cache-projects-flag.js';
import { UsageError } from '../../cli/usage-error.js';

const CLI = join(resolve(import.meta.dirname, '..', '..'), 'bin', 'slipway.js');

/** `slipway up` with `args`, in a home of its own; killed if it got as far as starting a platform. */
function up(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const home = mkdtempSync(join(tmpdir(), 'slipway-flag-'));
  return new Promise((done) => {
    const child = spawn(process.execPath, [CLI, 'up', '--port', '0', '--no-example', ...args], {
      env: { ...process.env, SLIPWAY_HOME: home },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    const started = setTimeout(() => child.kill('SIGTERM'), 15_000);
    child.on('close', (code) => {
      clearTimeout(started);
      rmSync(home, { recursive: true, force: true });
      done({ code, stderr });
    });
  });
}

describe('slipway up --route-cache-projects N', () => {
  it('takes a whole number of projects, 200 when not given', () => {
    expect(routeCacheProjectsFlag(undefined)).toBe(200);
    expect(routeCacheProjectsFlag('20')).toBe(20);
    expect(routeCacheProjectsFlag('1')).toBe(1);
    for (const bad of ['0', '-5', '1.5', 'few', '99999']) {
      expect(() => routeCacheProjectsFlag(bad), bad).toThrow(UsageError);
      expect(() => routeCacheProjectsFlag(bad), bad).toThrow(/^--route-cache-projects must be a whole number from 1 to \d+, got "/);
    }
  });

  it('refuses a bad value before starting anything: exit code 2, naming the flag', async () => {
    const { code, stderr } = await up(['--route-cache-projects', '0']);
    // One line, the flag and its bounds; no usage text after it.
    expect(stderr).toMatch(/^slipway: --route-cache-projects must be a whole number from 1 to \d+, got "0"\n$/);
    expect(code).toBe(2);
  });
});
