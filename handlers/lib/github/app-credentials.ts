import * as v from 'valibot';
import { cachedUntilFailure, readPrivateFile } from '../secrets.js';
import { githubSecretFields } from './app-secret.js';

/** What the platform needs to act as its GitHub App: the App id and its private key (PEM). */
export interface GithubAppCredentials {
  appId: string;
  privateKey: string;
}

const AppId = v.pipe(v.union([v.pipe(v.number(), v.integer(), v.minValue(1), v.transform(String)), v.pipe(v.string(), v.regex(/^[1-9]\d{0,19}$/))]));
const SecretFields = v.object({
  appId: AppId,
  privateKey: v.pipe(v.string(), v.includes('PRIVATE KEY', 'must be a PEM private key')),
});

const credentials = cachedUntilFailure(load);

/**
 * The App's credentials: on AWS the `appId` and `privateKey` fields of the JSON secret named by
 * SLIPWAY_GITHUB_SECRET_ARN (beside `webhookSecret`), locally SLIPWAY_GITHUB_APP_ID and the 0600
 * PEM file named by SLIPWAY_GITHUB_APP_KEY_FILE. Cached once loaded; a failed load is not.
 */
export function githubAppCredentials(): Promise<GithubAppCredentials> {
  return credentials.get();
}

/** For tests that switch Apps between cases. */
export function forgetGithubAppCredentials(): void {
  credentials.forget();
}

async function load(): Promise<GithubAppCredentials> {
  const fromSecret = await githubSecretFields(SecretFields, 'the App credentials');
  if (fromSecret) return fromSecret;
  const appId = process.env.SLIPWAY_GITHUB_APP_ID;
  const keyFile = process.env.SLIPWAY_GITHUB_APP_KEY_FILE;
  if (!appId || !keyFile) throw new Error('no GitHub App is configured (SLIPWAY_GITHUB_SECRET_ARN, or SLIPWAY_GITHUB_APP_ID and SLIPWAY_GITHUB_APP_KEY_FILE)');
  const id = v.safeParse(AppId, appId);
  if (!id.success) throw new Error('SLIPWAY_GITHUB_APP_ID must be the numeric App id');
  const privateKey = await readPrivateFile(keyFile, 'the GitHub App private key file');
  if (!privateKey.includes('PRIVATE KEY')) throw new Error('the GitHub App private key file holds no PEM private key');
  return { appId: id.output, privateKey };
}
