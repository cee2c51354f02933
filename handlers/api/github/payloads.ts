import * as v from 'valibot';
import { GITHUB_ACCOUNT_PATTERN, RepositoryFullName } from '../../lib/names.js';

/**
 * The parts of GitHub webhook payloads Slipway reads. `v.object` (not strict): GitHub sends many
 * more fields, and adds new ones; only the fields used are checked.
 */

const BranchName = v.pipe(
  v.string('must be a string'),
  v.minLength(1, 'must not be empty'),
  v.maxLength(255, 'must be at most 255 characters'),
);

export const PingPayload = v.object({
  zen: v.optional(v.string()),
  hook_id: v.optional(v.number()),
});

export const PushPayload = v.object({
  ref: v.pipe(
    v.string('must be a string'),
    v.startsWith('refs/', 'must start with "refs/"'),
    v.maxLength(300, 'must be at most 300 characters'),
  ),
  after: v.pipe(v.string('must be a string'), v.regex(/^[0-9a-f]{40}$/, 'must be a 40-character hexadecimal commit id')),
  deleted: v.boolean('must be a boolean'),
  repository: v.object({
    full_name: RepositoryFullName,
    default_branch: BranchName,
  }),
  installation: v.object({ id: v.pipe(v.number('must be a number'), v.integer('must be an integer'), v.minValue(1, 'must be positive')) }),
});
export type PushPayload = v.InferOutput<typeof PushPayload>;

/** Header values GitHub sends with every delivery. */
export const DeliveryId = v.pipe(
  v.string(),
  v.regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'must be a UUID'),
  v.toLowerCase(),
);
export const EventName = v.pipe(v.string(), v.regex(/^[a-z_]{1,64}$/, 'must be a GitHub event name (a–z and "_")'));

const InstallationId = v.pipe(v.number('must be a number'), v.integer('must be an integer'), v.minValue(1, 'must be positive'));
const RepositoryList = v.pipe(
  v.array(v.object({ full_name: RepositoryFullName }), 'must be an array'),
  v.maxLength(5000, 'must list at most 5000 repositories'),
);
const Installation = v.object({
  id: InstallationId,
  account: v.object({
    login: v.pipe(v.string('must be a string'), v.regex(GITHUB_ACCOUNT_PATTERN, 'must be a GitHub login')),
  }),
});

/** `installation`: the App was installed (with the repositories it may read), removed, suspended… */
export const InstallationPayload = v.object({
  action: v.pipe(v.string('must be a string'), v.maxLength(64)),
  installation: Installation,
  repositories: v.optional(RepositoryList),
});
export type InstallationPayload = v.InferOutput<typeof InstallationPayload>;

/** `installation_repositories`: repositories were added to or removed from an installation. */
export const InstallationRepositoriesPayload = v.object({
  action: v.pipe(v.string('must be a string'), v.maxLength(64)),
  installation: Installation,
  repositories_added: v.optional(RepositoryList),
  repositories_removed: v.optional(RepositoryList),
});
export type InstallationRepositoriesPayload = v.InferOutput<typeof InstallationRepositoriesPayload>;

const Sha = v.pipe(v.string('must be a string'), v.regex(/^[0-9a-f]{40}$/, 'must be a 40-character hexadecimal commit id'));

/** `pull_request`: only what a fork's preview needs. A deleted fork leaves `head.repo` null. */
export const PullRequestPayload = v.object({
  action: v.pipe(v.string('must be a string'), v.maxLength(64)),
  number: v.pipe(v.number('must be a number'), v.integer('must be an integer'), v.minValue(1, 'must be positive')),
  pull_request: v.object({
    head: v.object({ sha: Sha, ref: BranchName, repo: v.nullable(v.object({ full_name: RepositoryFullName })) }),
    base: v.object({ ref: BranchName, repo: v.object({ full_name: RepositoryFullName }) }),
  }),
  repository: v.object({ full_name: RepositoryFullName }),
  installation: v.object({ id: InstallationId }),
});
export type PullRequestPayload = v.InferOutput<typeof PullRequestPayload>;
