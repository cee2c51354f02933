import { writeFile, mkdir } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import { cachedUntilFailure } from './secrets.js';
import { readSecret } from './bindings/bound.js';
import type { SecretName } from './bindings/types.js';

/**
 * A 32-byte platform key (base64) from the bound SecretSource (Secrets Manager on AWS, a 0600 file
 * locally); `settings` names what configures it on each back end, for the error when neither does.
 * Cached once loaded.
 */
export function platformKey(name: SecretName, settings: string): () => Promise<Uint8Array> {
  const key = cachedUntilFailure(async () => {
    const stored = await readSecret(name, () => new Error(`neither ${settings} is set`));
    return Buffer.from(stored.trim(), 'base64');
  });
  return () => key.get();
}

/** Creates a local key file once (mode 0600); keeps an existing one. */
export async function ensureLocalKey(file: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  try {
    await writeFile(file, randomBytes(32).toString('base64'), { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}
