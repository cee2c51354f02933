import { PROJECT_NAME_PATTERN } from '../names.js';

/**
 * Every key of the platform's one DynamoDB table, built here and nowhere else. An item is
 * `{ pk, sk }`; a key part is `<PREFIX><id>`, and the prefixes keep the kinds apart, so an id must
 * never carry the separator `#`: a builder refuses one rather than write into another kind's keys.
 *
 * The state machines write some of these keys in ASL (workflows/steps.ts): they use the same
 * prefix constants.
 */

export const PROJECT_PREFIX = 'PROJECT#';
export const DEPLOYMENT_PREFIX = 'DEPLOY#';
export const PUSH_PREFIX = 'PUSH#';
export const ENV_PREFIX = 'ENV#';
export const RUNTIME_ENV_PREFIX = 'RUNENV#';
export const DOMAIN_PREFIX = 'DOMAIN#';
export const USER_PREFIX = 'USER#';
export const API_TOKEN_PREFIX = 'APITOKEN#';
export const GITHUB_INSTALLATION_PREFIX = 'GHINSTALL#';
export const WEBHOOK_DELIVERY_PREFIX = 'WEBHOOK#';
export const WEBHOOK_BODY_PREFIX = 'WEBHOOK-BODY#';
export const AUDIT_PREFIX = 'AUDIT#';
export const SUBSCRIPTION_PREFIX = 'SUBSCRIPTION#';
export const USAGE_PREFIX = 'USAGE#';
export const USAGE_DAY_PREFIX = 'DAY#';
export const USAGE_SLOTS_PREFIX = 'SLOTS#';

/** Sort keys of the items that are alone in their partition (or the partition's head item). */
export const META = 'META';
export const PROFILE = 'PROFILE';
export const SETTINGS = 'SETTINGS';
export const CLAIM = 'CLAIM';
export const DELIVERY = 'DELIVERY';
export const BODY = 'BODY';

export interface TableKey {
  pk: string;
  sk: string;
}

/**
 * The table's one global secondary index: items by `entity`, sorted by `name`. Only items with
 * both attributes are in it (projects, subscriptions), so listing projects or finding a
 * repository's projects reads project items only, never the whole table. Both attributes are
 * written since the first project, so the index covers existing items without a backfill. One
 * index because CloudFormation adds at most one per table update. CDK (infra/aws/storage) and the
 * local table (infra/local/storage) define it from this.
 */
export const ENTITY_INDEX = { name: 'byEntity', partitionKey: 'entity', sortKey: 'name' } as const;

/** A key was asked for with an id that would not stay in its own part of the key. */
export class KeyPartError extends Error {
  override name = 'KeyPartError';
}

function part(kind: string, id: string): string {
  if (id.length === 0 || id.includes('#')) throw new KeyPartError(`${kind} must be non-empty and must not contain "#"`);
  return id;
}

/** The partition of one project: its META item, deployments, pushes, variables and domains. */
export function projectPk(name: string): string {
  if (!PROJECT_NAME_PATTERN.test(name)) throw new KeyPartError('project is not a project name');
  return `${PROJECT_PREFIX}${name}`;
}

export const projectKey = (name: string): TableKey => ({ pk: projectPk(name), sk: META });
export const deploymentKey = (project: string, id: string): TableKey => ({
  pk: projectPk(project),
  sk: `${DEPLOYMENT_PREFIX}${part('deployment id', id)}`,
});
/** What one webhook delivery started for one project. */
export const pushKey = (project: string, delivery: string): TableKey => ({
  pk: projectPk(project),
  sk: `${PUSH_PREFIX}${part('delivery', delivery)}`,
});
/** A project's build and runtime settings. */
export const settingsKey = (project: string): TableKey => ({ pk: projectPk(project), sk: SETTINGS });
/** One environment variable of a project. */
export const envKey = (project: string, key: string): TableKey => ({
  pk: projectPk(project),
  sk: `${ENV_PREFIX}${part('variable name', key)}`,
});
/** The runtime variables a deployment was built with. */
export const runtimeEnvKey = (project: string, deploymentId: string): TableKey => ({
  pk: projectPk(project),
  sk: `${RUNTIME_ENV_PREFIX}${part('deployment id', deploymentId)}`,
});
/** One custom domain of a project. */
export const domainKey = (project: string, domain: string): TableKey => ({
  pk: projectPk(project),
  sk: `${DOMAIN_PREFIX}${part('domain', domain)}`,
});
/** The global item that makes a domain belong to one project only. */
export const domainClaimKey = (domain: string): TableKey => ({ pk: `${DOMAIN_PREFIX}${part('domain', domain)}`, sk: CLAIM });

/** A user's item; the caller decides the login's case (identity stores logins lowercase). */
export const userKey = (login: string): TableKey => ({ pk: `${USER_PREFIX}${part('login', login)}`, sk: PROFILE });
export const apiTokenKey = (id: string): TableKey => ({ pk: `${API_TOKEN_PREFIX}${part('token id', id)}`, sk: META });
export const githubInstallationKey = (id: number): TableKey => ({ pk: `${GITHUB_INSTALLATION_PREFIX}${id}`, sk: META });
export const webhookDeliveryKey = (delivery: string): TableKey => ({
  pk: `${WEBHOOK_DELIVERY_PREFIX}${part('delivery', delivery)}`,
  sk: DELIVERY,
});
export const webhookBodyKey = (digest: string): TableKey => ({ pk: `${WEBHOOK_BODY_PREFIX}${part('digest', digest)}`, sk: BODY });
export const subscriptionKey = (name: string): TableKey => ({ pk: `${SUBSCRIPTION_PREFIX}${part('subscription', name)}`, sk: META });

/** The audit log's partition for one month (`YYYY-MM`). */
export const auditPk = (month: string): string => `${AUDIT_PREFIX}${part('month', month)}`;
/** One audit entry: its month's partition, sorted by time; `unique` keeps two entries of the same instant apart. */
export const auditKey = (at: string, unique: string): TableKey => ({ pk: auditPk(at.slice(0, 7)), sk: `${at}#${unique}` });

/** Usage counters live in their own partition per user, apart from the user item. */
const usagePk = (login: string): string => `${USAGE_PREFIX}${part('login', login)}`;
/** A user's counter for one UTC day (`YYYY-MM-DD`). */
export const usageDayKey = (login: string, day: string): TableKey => ({ pk: usagePk(login), sk: `${USAGE_DAY_PREFIX}${part('day', day)}` });
/** A user's count of held slots of one kind. */
export const usageSlotsKey = (login: string, kind: string): TableKey => ({
  pk: usagePk(login),
  sk: `${USAGE_SLOTS_PREFIX}${part('slot kind', kind)}`,
});

/** The id after `prefix` in a key part, or undefined when the part is of another kind. */
export function idAfter(prefix: string, keyPart: string): string | undefined {
  return keyPart.startsWith(prefix) ? keyPart.slice(prefix.length) : undefined;
}

/** The deployment id of a project partition's sort key, when it is a deployment's. */
export const deploymentIdOf = (sk: string): string | undefined => idAfter(DEPLOYMENT_PREFIX, sk);
/** The domain of a project partition's sort key, when it is a domain's. */
export const domainOf = (sk: string): string | undefined => idAfter(DOMAIN_PREFIX, sk);
