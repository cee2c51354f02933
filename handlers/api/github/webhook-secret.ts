import { readFile, stat } from 'node:fs/promises';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ApiError } from '../errors.js';

let cached: Promise<string> | undefined;

/**
 * The GitHub App's webhook secret: on AWS the `webhookSecret` field of the JSON secret named by
 * SLIPWAY_GITHUB_SECRET_ARN (the App's other credentials live beside it), locally the contents of
 * a 0600 file named by SLIPWAY_GITHUB_WEBHOOK_SECRET_FILE. Cached once loaded; a failed load is not.
 */
export function webhookSecret(): Promise<string> {
  cached ??= loadSecret().catch((error: unknown) => {
    cached = undefined;
    throw error;
  });
  return cached;
}

/** For tests that switch secrets between cases. */
export function forgetWebhookSecret(): void {
  cached = undefined;
}

async function loadSecret(): Promise<string> {
  const secretArn = process.env.SLIPWAY_GITHUB_SECRET_ARN;
  if (secretArn) {
    const secret = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: secretArn }));
    if (!secret.SecretString) throw new Error('the GitHub App secret has no SecretString');
    let parsed: unknown;
    try {
      parsed = JSON.parse(secret.SecretString);
    } catch {
      throw new Error('the GitHub App secret is not a JSON document');
    }
    const value = (parsed as { webhookSecret?: unknown } | null)?.webhookSecret;
    if (typeof value !== 'string' || value.length === 0) throw new Error('the GitHub App secret has no "webhookSecret" string field');
    return value;
  }
  const file = process.env.SLIPWAY_GITHUB_WEBHOOK_SECRET_FILE;
  if (!file) {
    // Not a server fault GitHub could retry its way out of: the platform has no GitHub App set up.
    throw new ApiError('Unauthorized', 'this platform has no GitHub webhook secret configured (SLIPWAY_GITHUB_SECRET_ARN or SLIPWAY_GITHUB_WEBHOOK_SECRET_FILE)');
  }
  const info = await stat(file);
  if ((info.mode & 0o077) !== 0) throw new Error(`the GitHub webhook secret file must have mode 0600, has ${(info.mode & 0o777).toString(8)}`);
  const value = (await readFile(file, 'utf8')).trim();
  if (!value) throw new Error('the GitHub webhook secret file is empty');
  return value;
}
