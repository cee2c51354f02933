import { readFile, stat } from 'node:fs/promises';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/**
 * A value loaded once and kept, unless loading failed: the next call tries again, so a secret
 * that was missing at cold start is picked up once it exists.
 */
export function cachedUntilFailure<T>(load: () => Promise<T>): { get(): Promise<T>; forget(): void } {
  let cached: Promise<T> | undefined;
  return {
    get() {
      cached ??= load().catch((error: unknown) => {
        cached = undefined;
        throw error;
      });
      return cached;
    },
    forget() {
      cached = undefined;
    },
  };
}

/** A Secrets Manager secret's string; `label` names it in the error (`<label> has no SecretString`). */
export async function secretString(secretArn: string, label: string): Promise<string> {
  const secret = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: secretArn }));
  if (!secret.SecretString) throw new Error(`${label} has no SecretString`);
  return secret.SecretString;
}

/** A local secret file, refused unless only its owner can read it (mode 0600). */
export async function readPrivateFile(file: string, label: string): Promise<string> {
  const info = await stat(file);
  if ((info.mode & 0o077) !== 0) throw new Error(`${label} must have mode 0600, has ${(info.mode & 0o777).toString(8)}`);
  return readFile(file, 'utf8');
}
