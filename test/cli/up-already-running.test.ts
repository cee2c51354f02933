import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir, uptime } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { claimStateDirectory, PLATFORM_PID_FILE, PlatformAlreadyRunning } from '../../infra/local/platform-lock.js';
import { runCli, startPlatformProcess, type PlatformProcess } from '../support/platform-process.js';
import { seedPlatformHome } from '../support/platform-synth-cache.js';

const homes: string[] = [];
const started: PlatformProcess[] = [];

function freshHome(): string {
  const home = mkdtempSync(join(tmpdir(), 'slipway-up-twice-'));
  homes.push(home);
  return home;
}

afterAll(async () => {
  for (const platform of started) await platform.stop();
  for (const home of homes) rmSync(home, { recursive: true, force: true });
});

describe('slipway up on a state directory a platform already runs on', () => {
  it('says which platform runs there and exits 1 without touching it; a killed platform does not block the next start', {
    timeout: 120_000,
  }, async () => {
    const home = freshHome();
    const first = await startPlatformProcess(home);
    started.push(first);

    const second = await runCli(home, ['up', '--port', '0', '--no-example']);
    expect(second.stderr.trim()).toBe(
      `slipway: a platform is already running on ${home} (pid ${first.pid}, http://localhost:${first.port}/)`,
    );
    expect(second.code).toBe(1);
    expect(second.stdout).toBe('');
    // The first platform is untouched: it still answers, and still owns its files.
    expect((await fetch(`http://localhost:${first.port}/`)).status).toBe(200);
    expect(JSON.parse(readFileSync(join(home, 'platform.json'), 'utf8')).pid).toBe(first.pid);
    expect(readFileSync(join(home, PLATFORM_PID_FILE), 'utf8').trim()).toBe(String(first.pid));

    // Killed without closing, it leaves both files naming a dead pid: the next `up` takes over.
    const exited = new Promise((resolve) => first.child.once('exit', resolve));
    first.child.kill('SIGKILL');
    await exited;
    expect(existsSync(join(home, PLATFORM_PID_FILE))).toBe(true);
    const restarted = await startPlatformProcess(home);
    started.push(restarted);
    expect(restarted.pid).not.toBe(first.pid);
    expect((await fetch(`http://localhost:${restarted.port}/`)).status).toBe(200);
    await restarted.stop();
    // A platform that closed leaves no claim behind.
    expect(existsSync(join(home, PLATFORM_PID_FILE)), restarted.output()).toBe(false);
  });
});

describe('slipway up on a port another program holds', () => {
  it('says so in one line with the flag that changes it before opening anything, exits 1 and leaves no claim', {
    timeout: 120_000,
  }, async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as AddressInfo).port;
    try {
      const home = freshHome();
      seedPlatformHome(home);
      const up = await runCli(home, ['up', '--port', String(port), '--no-example']);
      expect(up.code).toBe(1);
      const lines = up.stderr.trim().split('\n');
      expect(lines.at(-1)).toBe(`slipway: port ${port} is in use by another program: start on another one with --port N (or SLIPWAY_PORT)`);
      expect(up.stderr).not.toMatch(/^\s+at /m);
      expect(existsSync(join(home, PLATFORM_PID_FILE))).toBe(false);
      // Found before the storage opened: nothing was started in vain.
      expect(existsSync(join(home, 'data'))).toBe(false);
    } finally {
      busy.close();
    }
  });
});

describe('claimStateDirectory', () => {
  /** A process that stays alive while the test needs a live pid that is not a platform. */
  function livePid(): { pid: number; end: () => void } {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    return { pid: child.pid as number, end: () => child.kill('SIGKILL') };
  }

  it('refuses a directory a live process holds, naming its URL once platform.json names the same pid', () => {
    const home = freshHome();
    const other = livePid();
    try {
      writeFileSync(join(home, PLATFORM_PID_FILE), `${other.pid}\n`);
      expect(() => claimStateDirectory(home)).toThrow(`a platform is already running on ${home} (pid ${other.pid}, still starting)`);
      writeFileSync(join(home, 'platform.json'), JSON.stringify({ url: 'http://localhost:4321/', pid: other.pid }));
      expect(() => claimStateDirectory(home)).toThrow(PlatformAlreadyRunning);
      expect(() => claimStateDirectory(home)).toThrow(`(pid ${other.pid}, http://localhost:4321/)`);
    } finally {
      other.end();
    }
  });

  it('takes over a file from before the last boot even when its pid is alive again (another process now)', () => {
    const home = freshHome();
    const other = livePid();
    try {
      const file = join(home, PLATFORM_PID_FILE);
      writeFileSync(file, `${other.pid}\n`);
      const beforeBoot = (Date.now() - uptime() * 1000 - 60_000) / 1000;
      utimesSync(file, beforeBoot, beforeBoot);
      const release = claimStateDirectory(home);
      expect(readFileSync(file, 'utf8').trim()).toBe(String(process.pid));
      release();
      expect(existsSync(file)).toBe(false);
    } finally {
      other.end();
    }
  });

  it('refuses a second claim by the same process until the first is released, then allows it', () => {
    const home = freshHome();
    mkdirSync(home, { recursive: true });
    const release = claimStateDirectory(home);
    expect(() => claimStateDirectory(home)).toThrow(`(pid ${process.pid}, still starting)`);
    release();
    claimStateDirectory(home)();
  });

  it('takes over a file naming this very pid that this process never claimed (a container restart reuses pids)', () => {
    const home = freshHome();
    writeFileSync(join(home, PLATFORM_PID_FILE), `${process.pid}\n`);
    const release = claimStateDirectory(home);
    release();
    expect(existsSync(join(home, PLATFORM_PID_FILE))).toBe(false);
  });
});
