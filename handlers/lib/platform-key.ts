import { writeFile, mkdir } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import { cachedUntilFailure, readPrivateFile, secretString } from './secrets.js';

/**
 * A 32-byte platform key (base64): from the Secrets Manager secret named by `<prefix>_SECRET_ARN`
 * on AWS, from the 0600 file named by `<prefix>_KEY_FILE` locally. Cached once loaded.
 */
export function platformKey(prefix: string, label: string): () => Promise<Uint8Array> {
  const key = cachedUntilFailure(async () => {
    const secretArn = process.env[`${prefix}_SECRET_ARN`];
    if (secretArn) return Buffer.from(await secretString(secretArn, label), 'base64');
    const file = process.env[`${prefix}_KEY_FILE`];
    if (!file) throw new Error(`neither ${prefix}_SECRET_ARN nor ${prefix}_KEY_FILE is set`);
    return Buffer.from((await readPrivateFile(file, `${label} file`)).trim(), 'base64');
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
