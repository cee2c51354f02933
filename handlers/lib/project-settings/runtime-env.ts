import { envKey } from '../env-key.js';
import { openSecret } from '../secret-box.js';
import { getRuntimeSnapshot, secretContext } from './store.js';

/**
 * The runtime variables a deployment was built with, secrets decrypted: what its function is
 * started with. Read from the deployment's snapshot, so changing a variable takes effect on the
 * next deployment and a rollback brings back the variables of the version it restores.
 */
export async function runtimeEnvironment(project: string, deploymentId: string): Promise<Record<string, string>> {
  const variables = await getRuntimeSnapshot(project, deploymentId);
  const key = variables.some((item) => item.sealed !== undefined) ? await envKey() : undefined;
  return Object.fromEntries(
    variables.map((item) => [
      item.key,
      item.sealed !== undefined ? openSecret(item.sealed, key as Uint8Array, secretContext(project, item.key)) : (item.value ?? ''),
    ]),
  );
}
