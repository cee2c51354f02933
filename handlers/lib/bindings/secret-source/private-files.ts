import { readFile, stat } from 'node:fs/promises';
import { SecretNotConfigured, type SecretName, type SecretSource } from '../types.js';

/** Where the local platform keeps each secret: a file path, or the plain value of an identifier. */
export interface PrivateFilesConfig {
  files: Partial<Record<SecretName, string>>;
  /** Identifiers that are not secret (the GitHub App id, the OAuth client id): no file for them. */
  values?: Partial<Record<SecretName, string>>;
}

/** How each secret's file is named in errors. */
const FILE_LABELS: Record<SecretName, string> = {
  'ticket-key': 'ticket secret file',
  'env-key': 'env secret key file',
  'session-key': 'session key file',
  'admin-token': 'the admin token file',
  'github-app-id': 'the GitHub App id file',
  'github-app-private-key': 'the GitHub App private key file',
  'github-webhook-secret': 'the GitHub webhook secret file',
  'github-oauth-client-id': 'the GitHub OAuth client id file',
  'github-oauth-client-secret': 'the GitHub OAuth client secret file',
};

/** A local secret file, refused unless only its owner can read it (mode 0600). */
export async function readPrivateFile(file: string, label: string): Promise<string> {
  const info = await stat(file);
  if ((info.mode & 0o077) !== 0) throw new Error(`${label} must have mode 0600, has ${(info.mode & 0o777).toString(8)}`);
  return readFile(file, 'utf8');
}

/** The local back end: each secret in its own 0600 file under the state folder. */
export function privateFilesSecretSource(config: PrivateFilesConfig): SecretSource {
  return {
    async read(name) {
      const value = config.values?.[name];
      if (value !== undefined) return value;
      const file = config.files[name];
      if (!file) throw new SecretNotConfigured(name);
      return readPrivateFile(file, FILE_LABELS[name]);
    },
  };
}
