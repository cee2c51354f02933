import { spawn, type ChildProcess } from 'node:child_process';
import { findBinary, missingToolError } from './find-binary.js';

/**
 * A sandbox's only way out: slirp4netns, a user-mode network stack attached to the sandbox's own
 * network namespace. With host loopback disabled, 10.0.2.2 does not lead to the host's 127.0.0.1,
 * so the platform's ports (edge, API, S3, DynamoDB, Step Functions) are out of reach while the
 * internet (the package registry, a tenant's external APIs) is not.
 */
export interface UserNetwork {
  stop(): void;
}

export function slirpPath(): string {
  const path = findBinary('slirp4netns');
  if (!path) throw missingToolError('slirp4netns', 'slirp4netns');
  return path;
}

/** Attaches a user-mode network to the network namespace of `pid` (one the platform's user namespace owns); resolves once it is up. */
export function attachUserNetwork(pid: number, timeoutMs = 10_000): Promise<UserNetwork> {
  const binary = slirpPath();
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(
      binary,
      ['--configure', '--mtu=65520', '--disable-host-loopback', '--ready-fd=3', '--exit-fd=4', String(pid), 'tap0'],
      // fd 4 is closed when the platform dies, however it dies: slirp4netns goes with it.
      { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'], env: {} },
    );
    // The platform's exit must not wait for it, nor its pipes' resets count as errors.
    child.unref();
    for (const stream of child.stdio) (stream as (NodeJS.ReadableStream & { unref?: () => void }) | null)?.on('error', () => undefined);
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-2000)));
    const stop = (): void => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    };
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`slirp4netns did not come up within ${timeoutMs} ms: ${stderr.trim()}`));
    }, timeoutMs);
    const ready = child.stdio[3] as NodeJS.ReadableStream;
    ready.once('data', () => {
      clearTimeout(timer);
      for (const stream of child.stdio) (stream as { unref?: () => void } | null)?.unref?.();
      resolve({ stop });
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`slirp4netns exited (${code ?? signal}) before the network was up: ${stderr.trim()}`));
    });
  });
}
