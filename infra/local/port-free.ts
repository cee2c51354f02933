import { createServer } from 'node:net';

/**
 * Fails with the listen error (EADDRINUSE) when `port` cannot be listened on, before a platform
 * spends seconds starting its storage and engine only to fail at the edge, which listens last.
 * Port 0 (any free port) always passes.
 */
export function assertPortFree(port: number, host = '127.0.0.1'): Promise<void> {
  if (port === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}
