import { createHash } from 'node:crypto';
import { ensureLocalKey, platformKey } from './platform-key.js';

const material = platformKey('env-key', 'SLIPWAY_ENV_SECRET_ARN nor SLIPWAY_ENV_KEY_FILE');

/**
 * The key that encrypts project secrets at rest (AES-256-GCM): from Secrets Manager on AWS
 * (SLIPWAY_ENV_SECRET_ARN), from a 0600 file under the state folder locally (SLIPWAY_ENV_KEY_FILE).
 * Only the API (which encrypts) and the pipeline step that prepares a build (which decrypts) load it.
 * AES-256 wants exactly 32 bytes: the SHA-256 of the material.
 */
export async function envKey(): Promise<Uint8Array> {
  return createHash('sha256')
    .update(await material())
    .digest();
}

/** Creates the local key file once (mode 0600); keeps an existing one. */
export const ensureLocalEnvKey = ensureLocalKey;
