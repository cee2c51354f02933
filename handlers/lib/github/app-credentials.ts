import * as v from 'valibot';
import { cachedUntilFailure } from '../secrets.js';
import { readSecret } from '../bindings/bound.js';

/** What the platform needs to act as its GitHub App: the App id and its private key (PEM). */
export interface GithubAppCredentials {
  appId: string;
  privateKey: string;
}

const AppId = v.pipe(v.string(), v.regex(/^[1-9]\d{0,19}$/));

const credentials = cachedUntilFailure(load);

/**
 * The App's credentials, from the bound SecretSource: on AWS the `appId` and `privateKey` fields of
 * the JSON secret named by SLIPWAY_GITHUB_SECRET_ARN (beside `webhookSecret`), locally
 * SLIPWAY_GITHUB_APP_ID and the 0600 PEM file named by SLIPWAY_GITHUB_APP_KEY_FILE. Cached once
 * loaded; a failed load is not.
 */
export function githubAppCredentials(): Promise<GithubAppCredentials> {
  return credentials.get();
}

/** For tests that switch Apps between cases. */
export function forgetGithubAppCredentials(): void {
  credentials.forget();
}

const notConfigured = () =>
  new Error('no GitHub App is configured (SLIPWAY_GITHUB_SECRET_ARN, or SLIPWAY_GITHUB_APP_ID and SLIPWAY_GITHUB_APP_KEY_FILE)');

async function load(): Promise<GithubAppCredentials> {
  const appId = await readSecret('github-app-id', notConfigured);
  const id = v.safeParse(AppId, appId);
  if (!id.success)
    throw new Error('the GitHub App id (SLIPWAY_GITHUB_APP_ID, or appId in the GitHub App secret) must be the numeric App id');
  const privateKey = await readSecret('github-app-private-key', notConfigured);
  if (!privateKey.includes('PRIVATE KEY')) throw new Error('the GitHub App private key holds no PEM private key');
  return { appId: id.output, privateKey };
}
