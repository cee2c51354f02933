import { privateFilesSecretSource, type PrivateFilesConfig } from '../../../handlers/lib/bindings/secret-source/private-files.js';
import type { SecretName, SecretSource } from '../../../handlers/lib/bindings/types.js';

/** The variable naming each secret's 0600 file on the local platform. */
const FILE_VARIABLES: Partial<Record<SecretName, string>> = {
  'ticket-key': 'SLIPWAY_TICKET_KEY_FILE',
  'env-key': 'SLIPWAY_ENV_KEY_FILE',
  'session-key': 'SLIPWAY_SESSION_KEY_FILE',
  'admin-token': 'SLIPWAY_ADMIN_TOKEN_FILE',
  'github-app-private-key': 'SLIPWAY_GITHUB_APP_KEY_FILE',
  'github-webhook-secret': 'SLIPWAY_GITHUB_WEBHOOK_SECRET_FILE',
  'github-oauth-client-secret': 'SLIPWAY_GITHUB_OAUTH_CLIENT_SECRET_FILE',
};

/** The identifiers the local platform takes as plain values. */
const VALUE_VARIABLES: Partial<Record<SecretName, string>> = {
  'github-app-id': 'SLIPWAY_GITHUB_APP_ID',
  'github-oauth-client-id': 'SLIPWAY_GITHUB_OAUTH_CLIENT_ID',
};

function pick(env: NodeJS.ProcessEnv, variables: Partial<Record<SecretName, string>>): Partial<Record<SecretName, string>> {
  const picked: Partial<Record<SecretName, string>> = {};
  for (const [name, variable] of Object.entries(variables) as [SecretName, string][]) {
    const value = env[variable];
    if (value) picked[name] = value;
  }
  return picked;
}

/** The local files configuration, from the variables the platform and the test harnesses set. */
export function localSecretFiles(env: NodeJS.ProcessEnv): PrivateFilesConfig {
  return { files: pick(env, FILE_VARIABLES), values: pick(env, VALUE_VARIABLES) };
}

/**
 * The local SecretSource: 0600 files. The configuration is read at each read, because the test
 * harnesses switch secret files between cases in one process (callers cache the values).
 */
export function localSecretSource(env: NodeJS.ProcessEnv = process.env): SecretSource {
  return { read: (name) => privateFilesSecretSource(localSecretFiles(env)).read(name) };
}
