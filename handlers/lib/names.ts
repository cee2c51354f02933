import * as v from 'valibot';

/**
 * The names the platform builds keys, hosts and stack names from, defined once: the API, the
 * pipeline's ticket and state, the build runner, the router and the project stack's parameter all
 * check the same patterns. Only valibot here: the build runner's image and the router bundle import
 * this module too.
 */

/**
 * Project names are DNS labels: they become `NAME.localhost` and stack names. No `--`, so a
 * preview's host label `<project>--<alias>` splits unambiguously; no `#`, so a table key built
 * from one cannot reach into another item's key space.
 */
export const PROJECT_NAME_PATTERN = /^(?!.*--)[a-z][a-z0-9-]{1,38}[a-z0-9]$/;
/**
 * The same names as a part of a longer pattern (an execution name `<project>--…`): the look-ahead
 * of PROJECT_NAME_PATTERN would see the `--` after the name, so this one refuses `--` character by character.
 */
export const PROJECT_NAME = '[a-z](?:(?!--)[a-z0-9-]){1,38}[a-z0-9]';
export const ProjectName = v.pipe(
  v.string('must be a string'),
  v.regex(PROJECT_NAME_PATTERN, 'must be 3–40 characters of a–z, 0–9 and single "-", starting with a letter and not ending with "-"'),
);

/** A deployment id as the API makes it: `d-<timestamp36>-<random>`. */
export const DEPLOYMENT_ID = 'd-[a-z0-9-]{4,40}';
export const DEPLOYMENT_ID_PATTERN = new RegExp(`^${DEPLOYMENT_ID}$`);
export const DeploymentId = v.pipe(v.string(), v.regex(DEPLOYMENT_ID_PATTERN, 'is not a deployment id'));

/**
 * A tenant function's qualifier (a Lambda version number on AWS, the deployment id locally) as the
 * router, the preview release and the project stack's parameters accept it: looser than a deployment
 * id because a version number is one too.
 */
export const FUNCTION_QUALIFIER = '[A-Za-z0-9][A-Za-z0-9-]{0,99}';
export const FUNCTION_QUALIFIER_PATTERN = new RegExp(`^${FUNCTION_QUALIFIER}$`);

/** A preview alias's characters (its length limit is in handlers/previews/alias.ts, where the host label is composed). */
export const PREVIEW_ALIAS_PATTERN = /^(?!.*--)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

/** A GitHub account's login as the platform accepts it from GitHub (a repository owner, an installation's account). */
export const GITHUB_ACCOUNT = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})';
export const GITHUB_ACCOUNT_PATTERN = new RegExp(`^${GITHUB_ACCOUNT}$`);

/** `owner/name` as GitHub spells a repository's full name. */
export const REPOSITORY_FULL_NAME_PATTERN = new RegExp(`^${GITHUB_ACCOUNT}\\/[A-Za-z0-9._-]{1,100}$`);
export const RepositoryFullName = v.pipe(
  v.string('must be a string'),
  v.maxLength(140, 'must be at most 140 characters'),
  v.regex(REPOSITORY_FULL_NAME_PATTERN, 'must be a repository full name "owner/name"'),
);

/**
 * A folder of the source, relative: no leading `/`, no `.` or `..` segment, no backslash. A segment
 * cannot start with ".", so "." and ".." (and hidden folders) are refused by the pattern itself.
 */
export const ROOT_DIRECTORY_PATTERN = /^[A-Za-z0-9_@+-][A-Za-z0-9._@+-]*(\/[A-Za-z0-9_@+-][A-Za-z0-9._@+-]*)*$/;

/** An environment variable name: letters, digits and `_`, not starting with a digit, at most 128 characters. */
export const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/**
 * A build's objects in the build bucket: the runner writes them, the pipeline and the API read
 * them. The log is numbered chunks, so a reader listing with StartAfter sees them in order.
 */
export function buildBundleKey(buildId: string): string {
  return `builds/${buildId}/bundle.tar.gz`;
}

export function buildLogPrefix(buildId: string): string {
  return `builds/${buildId}/log/`;
}

export function buildLogChunkKey(prefix: string, seq: number): string {
  return `${prefix}${String(seq).padStart(8, '0')}.txt`;
}

/**
 * The error a cancel stops a deployment's execution with (handlers/api/routes/cancel.ts): the
 * local platform's transition log (infra/local/deployment-transitions.ts) tells a cancel from
 * another abort by it.
 */
export const CANCELLED_STOP_ERROR = 'Slipway.Cancelled';
