import { createHash } from 'node:crypto';
import { cachedUntilFailure, readPrivateFile, secretString } from './secrets.js';
import { ensureLocalTicketKey } from './ticket-key.js';

const key = cachedUntilFailure(loadKey);

/**
 * The key that encrypts project secrets at rest (AES-256-GCM): from Secrets Manager on AWS
 * (SLIPWAY_ENV_SECRET_ARN), from a 0600 file under the state folder locally (SLIPWAY_ENV_KEY_FILE).
 * Only the API (which encrypts) and the pipeline step that prepares a build (which decrypts) load it.
 */
export function envKey(): Promise<Uint8Array> {
  return key.get();
}

async function loadKey(): Promise<Uint8Array> {
  const secretArn = process.env.SLIPWAY_ENV_SECRET_ARN;
  const raw = secretArn
    ? await secretString(secretArn, 'env secret key')
    : process.env.SLIPWAY_ENV_KEY_FILE
      ? (await readPrivateFile(process.env.SLIPWAY_ENV_KEY_FILE, 'env key file')).trim()
      : undefined;
  if (raw === undefined) throw new Error('neither SLIPWAY_ENV_SECRET_ARN nor SLIPWAY_ENV_KEY_FILE is set');
  if (raw.length < 32) throw new Error('the env secret key material is shorter than 32 characters');
  // AES-256 wants exactly 32 bytes; the material (a generated secret string or a local random file) has more entropy than that.
  return createHash('sha256').update(raw, 'utf8').digest();
}

/** Creates the local key file once (32 random bytes, base64, mode 0600); keeps an existing one. */
export function ensureLocalEnvKey(file: string): Promise<void> {
  return ensureLocalTicketKey(file);
}

/** For tests that swap the key file. */
export function forgetEnvKey(): void {
  key.forget();
}
