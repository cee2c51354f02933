import { stateMachineArnFor } from '../../../handlers/api/executions.js';
import { s3Client } from '../../../handlers/lib/clients.js';
import { platformNames } from '../../../handlers/lib/config.js';
import { tenantUrl } from '../../../handlers/lib/tenant-url.js';

const answer = (read: () => unknown): unknown => {
  try {
    return read();
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
};

/** A Lambda handler that answers what its platform holds, as its bundle's entry bound it. */
export async function handler(): Promise<string> {
  return JSON.stringify({
    table: answer(() => platformNames().table),
    tenantUrl: answer(() => tenantUrl('shop')),
    s3: answer(() => (typeof s3Client().send === 'function' ? 'bound' : 'not a client')),
    rollback: answer(() => stateMachineArnFor('rollback')),
  });
}
