import { createAppAuth } from '@octokit/auth-app';
import { Octokit } from '@octokit/rest';
import { currentPlatform } from '../bindings/platform.js';
import { GITHUB_COM } from '../bindings/types.js';
import { githubAppCredentials } from './app-credentials.js';

/** GitHub's REST API, or the GitHub Enterprise / test server the platform names. */
export function githubApiUrl(): string {
  return (currentPlatform().github ?? GITHUB_COM).apiUrl;
}

/**
 * A REST client acting as one installation of the App. The installation token is taken (and
 * renewed) inside the client by @octokit/auth-app and never handed out: callers get the client,
 * not the token, so it cannot end up in a workflow's state or a log line.
 */
export async function installationClient(installationId: number): Promise<Octokit> {
  const { appId, privateKey } = await githubAppCredentials();
  return new Octokit({
    baseUrl: githubApiUrl(),
    authStrategy: createAppAuth,
    auth: { appId, privateKey, installationId },
    userAgent: 'slipway',
    // Failures are reported by the caller; Octokit's own logging would print request details.
    log: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
  });
}

/** `owner/name` → its parts (the full name was validated where it entered). */
export function splitRepository(repository: string): { owner: string; repo: string } {
  const slash = repository.indexOf('/');
  return { owner: repository.slice(0, slash), repo: repository.slice(slash + 1) };
}
