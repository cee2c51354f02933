import * as v from 'valibot';

/**
 * The parts of GitHub webhook payloads Slipway reads. `v.object` (not strict): GitHub sends many
 * more fields, and adds new ones; only the fields used are checked.
 */

/** `owner/name` as GitHub spells a repository's full name. */
export const RepositoryFullName = v.pipe(
  v.string('must be a string'),
  v.maxLength(140, 'must be at most 140 characters'),
  v.regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/, 'must be a repository full name "owner/name"'),
);

const BranchName = v.pipe(v.string('must be a string'), v.minLength(1, 'must not be empty'), v.maxLength(255, 'must be at most 255 characters'));

export const PingPayload = v.object({
  zen: v.optional(v.string()),
  hook_id: v.optional(v.number()),
});

export const PushPayload = v.object({
  ref: v.pipe(v.string('must be a string'), v.startsWith('refs/', 'must start with "refs/"'), v.maxLength(300, 'must be at most 300 characters')),
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
