import * as v from 'valibot';
import { REPOSITORY_FULL_NAME_PATTERN } from '../names.js';

/** What an execution fetches from GitHub: a commit of a repository, through one installation of the App. */
export const GithubSource = v.object({
  repository: v.pipe(v.string(), v.maxLength(140), v.regex(REPOSITORY_FULL_NAME_PATTERN, 'must be "owner/name"')),
  commit: v.pipe(v.string(), v.regex(/^[0-9a-f]{40}$/, 'must be a 40-character commit id')),
  installationId: v.pipe(v.number(), v.integer(), v.minValue(1)),
});
export type GithubSource = v.InferOutput<typeof GithubSource>;

/**
 * The ticket's `src` claim for a GitHub source. The pipeline only fetches (and reports to) what the
 * API signed, so an execution input naming another repository, commit or installation is refused.
 */
export function githubSourceUri(source: GithubSource): string {
  return `github://${source.installationId}/${source.repository.toLowerCase()}@${source.commit}`;
}

/** Where the fetch step stores a deployment's source; the API knows it before the fetch runs. */
export function githubSourceKey(project: string, deploymentId: string): string {
  return `sources/${project}/github-${deploymentId}.tar.gz`;
}
