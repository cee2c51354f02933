import { describe, expect, it } from 'vitest';
import { bwrapArgs } from '../../../infra/local/sandbox/bwrap-args.js';
import { capFromOutput, capLine, DEFAULT_BUILD_LIMITS, functionLimits } from '../../../infra/local/sandbox/limits.js';
import { UidPool } from '../../../infra/local/sandbox/uid-pool.js';

describe('uid pool (also the build queue)', () => {
  it('leases distinct uids and makes the next caller wait until one is released', async () => {
    const pool = new UidPool(1_100_000, 2);
    const first = await pool.acquire();
    const second = await pool.acquire();
    expect(new Set([first.uid, second.uid]).size).toBe(2);
    let third: { uid: number } | undefined;
    const waiting = pool.acquire().then((lease) => (third = lease));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(third).toBeUndefined();
    second.release();
    await waiting;
    expect(third?.uid).toBe(second.uid);
    // A double release does not hand the same uid out twice.
    second.release();
    first.release();
    const next = await pool.acquire();
    expect(next.uid).toBe(first.uid);
  });

  it('refuses a privileged range', () => {
    expect(() => new UidPool(0, 4)).toThrow(/unprivileged/);
  });
});

describe('cap lines', () => {
  it('name the cap and its value', () => {
    expect(capLine('build', 'memory', DEFAULT_BUILD_LIMITS, 'the build was stopped')).toBe(
      'slipway: limit build memory is 4096 MiB; the build was stopped',
    );
    expect(capLine('function', 'processes', functionLimits(1024), 'x')).toBe('slipway: limit function processes is 128; x');
    expect(capLine('function', 'disk', functionLimits(1024), '/tmp is full')).toBe('slipway: limit function disk is 512 MiB; /tmp is full');
  });

  it('read the cap from the refused call when only rlimits are there', () => {
    expect(capFromOutput(['Error: spawn sleep EAGAIN'])).toBe('processes');
    expect(capFromOutput(['RangeError: Array buffer allocation failed'])).toBe('memory');
    expect(capFromOutput(['Error: EFBIG: file too large, write'])).toBe('disk');
    expect(capFromOutput(['npm ERR! missing script: build'])).toBeUndefined();
  });
});

describe('bwrap arguments', () => {
  const args = bwrapArgs({
    runtimePaths: [{ source: '/staged/0', target: '/opt/slipway' }],
    hiddenPaths: ['/state'],
    mounts: [{ source: '/staged/1', target: '/state/builds/b-1', writable: true }],
    tmpMiB: 64,
    network: 'private',
    networkReady: true,
    cwd: '/state/builds/b-1',
    env: { PATH: '/usr/bin' },
    infoFd: 5,
    blockFd: 6,
    command: ['node', 'main.js'],
  });
  const at = (...sequence: string[]) => args.findIndex((_, index) => sequence.every((item, offset) => args[index + offset] === item));

  it('shows the runtime, then hides the state, then binds the workspace inside it', () => {
    expect(at('--ro-bind', '/staged/0', '/opt/slipway')).toBeGreaterThan(-1);
    expect(at('--tmpfs', '/state')).toBeGreaterThan(at('--ro-bind', '/staged/0', '/opt/slipway'));
    expect(at('--bind', '/staged/1', '/state/builds/b-1')).toBeGreaterThan(at('--tmpfs', '/state'));
  });

  it('caps /tmp, drops every capability, clears the environment and isolates the namespaces', () => {
    expect(at('--size', String(64 * 1024 * 1024), '--tmpfs', '/tmp')).toBeGreaterThan(-1);
    for (const flag of [
      '--unshare-user',
      '--unshare-pid',
      '--unshare-ipc',
      '--unshare-uts',
      '--die-with-parent',
      '--new-session',
      '--clearenv',
    ])
      expect(args).toContain(flag);
    expect(at('--cap-drop', 'ALL')).toBeGreaterThan(-1);
    // The platform made the network namespace already (for slirp4netns to attach to).
    expect(args).not.toContain('--unshare-net');
    expect(args.slice(args.indexOf('--'))).toEqual(['--', 'node', 'main.js']);
  });
});
