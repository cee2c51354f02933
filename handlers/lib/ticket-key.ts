import { readFile, writeFile, mkdir, stat } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

let cached: Promise<Uint8Array> | undefined;

/**
 * The ticket-signing key: from Secrets Manager on AWS (SLIPWAY_TICKET_SECRET_ARN),
 * from a 0600 file under the state folder locally (SLIPWAY_TICKET_KEY_FILE).
 */
export function ticketKey(): Promise<Uint8Array> {
  cached ??= loadKey().catch((error: unknown) => {
    cached = undefined;
    throw error;
  });
  return cached;
}

async function loadKey(): Promise<Uint8Array> {
  const secretArn = process.env.SLIPWAY_TICKET_SECRET_ARN;
  if (secretArn) {
    const secret = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: secretArn }));
    if (!secret.SecretString) throw new Error('ticket secret has no SecretString');
    return Buffer.from(secret.SecretString, 'base64');
  }
  const file = process.env.SLIPWAY_TICKET_KEY_FILE;
  if (!file) throw new Error('neither SLIPWAY_TICKET_SECRET_ARN nor SLIPWAY_TICKET_KEY_FILE is set');
  const info = await stat(file);
  if ((info.mode & 0o077) !== 0) throw new Error(`ticket key file must have mode 0600, has ${(info.mode & 0o777).toString(8)}`);
  return Buffer.from((await readFile(file, 'utf8')).trim(), 'base64');
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
