import { writeFile, mkdir } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import { cachedUntilFailure, readPrivateFile, secretString } from './secrets.js';

const key = cachedUntilFailure(loadKey);

/**
 * The ticket-signing key: from Secrets Manager on AWS (SLIPWAY_TICKET_SECRET_ARN),
 * from a 0600 file under the state folder locally (SLIPWAY_TICKET_KEY_FILE).
 */
export function ticketKey(): Promise<Uint8Array> {
  return key.get();
}

async function loadKey(): Promise<Uint8Array> {
  const secretArn = process.env.SLIPWAY_TICKET_SECRET_ARN;
  if (secretArn) return Buffer.from(await secretString(secretArn, 'ticket secret'), 'base64');
  const file = process.env.SLIPWAY_TICKET_KEY_FILE;
  if (!file) throw new Error('neither SLIPWAY_TICKET_SECRET_ARN nor SLIPWAY_TICKET_KEY_FILE is set');
  return Buffer.from((await readPrivateFile(file, 'ticket key file')).trim(), 'base64');
}

/** Creates the local key file once (mode 0600); keeps an existing one. */
export async function ensureLocalTicketKey(file: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  try {
    await writeFile(file, randomBytes(32).toString('base64'), { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}
