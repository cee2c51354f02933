import { Agent } from 'node:http';
import { createConnection } from 'node:net';

/**
 * An HTTP agent whose connections go to a Unix socket instead of the endpoint's host and port. A
 * sandboxed build has no route to the platform's loopback; its S3 requests (signed for the
 * endpoint's host as usual) travel over a socket the platform bridges to the S3 endpoint.
 */
export function unixSocketAgent(socketPath: string): Agent {
  const agent = new Agent({ keepAlive: true });
  Object.assign(agent, { createConnection: () => createConnection(socketPath) });
  return agent;
}
