import type { SecretName } from '../../handlers/lib/bindings/types.js';
import type { PlatformOptions } from './platform.js';
import * as v from 'valibot';
import { parseSetting } from '../../handlers/lib/setting.js';
import { parseClientAddressDepth } from '../../router/client-address.js';

/** The variable naming each GitHub secret's 0600 file. */
const FILE_VARIABLES: Partial<Record<SecretName, string>> = {
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

export type OperatorSettings = Pick<
  PlatformOptions,
  'githubSecrets' | 'github' | 'publicUrl' | 'sandboxCaps' | 'clientAddressDepth' | 'functionIdleMs'
>;

/** Bounds of SLIPWAY_FUNCTION_IDLE_SECONDS: how long a function worker may sit idle before it stops. */
export const FUNCTION_IDLE_SECONDS = { min: 1, max: 3600 } as const;

const IdleSecondsSetting = v.pipe(
  v.string(),
  v.regex(/^\d+$/, 'must be a whole number'),
  v.transform(Number),
  v.minValue(FUNCTION_IDLE_SECONDS.min),
  v.maxValue(FUNCTION_IDLE_SECONDS.max),
);

/** The idle time in ms from the setting's text (unset: undefined); a bad value throws naming the field and the bounds. */
function parseFunctionIdleMs(value: string | undefined, field: string): number | undefined {
  const seconds = parseSetting(
    IdleSecondsSetting,
    value,
    field,
    `must be a whole number of seconds from ${FUNCTION_IDLE_SECONDS.min} to ${FUNCTION_IDLE_SECONDS.max}`,
  );
  return seconds === undefined ? undefined : seconds * 1000;
}

/**
 * What the operator may set for `slipway up` through its environment (README, "Configuration"):
 * GitHub's secrets and URLs, the public URL, the sandbox caps, the client address depth (when
 * the platform is behind a proxy) and how long an idle function worker lives. Read once, by the CLI's entry;
 * the platform's own keys and token are files it makes in its home, whatever the environment says.
 */
export function operatorSettings(env: NodeJS.ProcessEnv): OperatorSettings {
  const github = {
    ...(env.SLIPWAY_GITHUB_API_URL ? { apiUrl: env.SLIPWAY_GITHUB_API_URL } : {}),
    ...(env.SLIPWAY_GITHUB_WEB_URL ? { webUrl: env.SLIPWAY_GITHUB_WEB_URL } : {}),
  };
  const clientAddressDepth = parseClientAddressDepth(env.SLIPWAY_CLIENT_ADDRESS_DEPTH, 'SLIPWAY_CLIENT_ADDRESS_DEPTH');
  const functionIdleMs = parseFunctionIdleMs(env.SLIPWAY_FUNCTION_IDLE_SECONDS, 'SLIPWAY_FUNCTION_IDLE_SECONDS');
  return {
    githubSecrets: { files: pick(env, FILE_VARIABLES), values: pick(env, VALUE_VARIABLES) },
    github,
    ...(env.SLIPWAY_PUBLIC_URL ? { publicUrl: env.SLIPWAY_PUBLIC_URL } : {}),
    ...(env.SLIPWAY_SANDBOX_CAPS === 'rlimit' ? { sandboxCaps: 'rlimit' as const } : {}),
    ...(clientAddressDepth ? { clientAddressDepth } : {}),
    ...(functionIdleMs ? { functionIdleMs } : {}),
  };
}
