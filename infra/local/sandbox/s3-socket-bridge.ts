import { chmod, rm } from 'node:fs/promises';
import { createConnection, createServer, type Server } from 'node:net';

/**
 * The host side of a build's S3 socket: each connection on the Unix socket is piped to the local S3
 * server's TCP port. The socket is bind-mounted into that one sandbox, which has no other route to
 * the platform. Not a trust boundary: what passes must still be signed with the build's credentials.
 */
export interface S3SocketBridge {
  socketPath: string;
  close(): Promise<void>;
}

export async function startS3SocketBridge(socketPath: string, s3Endpoint: string): Promise<S3SocketBridge> {
  const target = new URL(s3Endpoint);
  const port = Number(target.port || (target.protocol === 'https:' ? 443 : 80));
  const host = target.hostname.replace(/^\[|\]$/g, '');
  const open = new Set<import('node:net').Socket>();
  const server: Server = createServer((inbound) => {
    open.add(inbound);
    inbound.once('close', () => open.delete(inbound));
    const outbound = createConnection({ host, port });
    inbound.pipe(outbound).pipe(inbound);
    const end = (): void => {
      inbound.destroy();
      outbound.destroy();
    };
    inbound.on('error', end);
    outbound.on('error', end);
    inbound.on('close', end);
    outbound.on('close', end);
  });
  await rm(socketPath, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  // The sandbox's uid must be able to connect; only that sandbox sees the socket at all.
  await chmod(socketPath, 0o666);
  return {
    socketPath,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of open) socket.destroy();
      }).then(() => rm(socketPath, { force: true })),
  };
}
