import * as v from 'valibot';

/**
 * The limits a subscription holds. Shared by the API (which stores and enforces them) and the
 * pipeline (which reads the ones that apply to a build from the signed ticket).
 */
const MB = 1024 * 1024;

/** Largest source archive accepted (compressed), uploaded or fetched from GitHub, whatever the subscription. */
export const MAX_SOURCE_BYTES = 100 * MB;

/** Each limit: a positive integer up to a maximum the platform itself can honour. */
export const LIMIT_BOUNDS = {
  projectsPerUser: { min: 1, max: 1000 },
  buildsPerDay: { min: 1, max: 10_000 },
  deploymentsPerDay: { min: 1, max: 10_000 },
  concurrentBuilds: { min: 1, max: 50 },
  // Batch's minimum attempt duration is 60 s. At most 45 minutes: the build's scoped credentials
  // are a chained role session, which STS caps at one hour, and must outlast the whole build step
  // (this, the runner's upload time and the queue allowance; infra/aws/shared/timeouts.ts).
  buildTimeoutSeconds: { min: 60, max: 2700 },
  customDomainsPerProject: { min: 1, max: 100 },
  // validate-output never accepts more than these, whatever the subscription says.
  prerenderedRoutesPerDeployment: { min: 1, max: 5000 },
  clientStorageBytes: { min: 1, max: 250 * MB },
  prerenderedStorageBytes: { min: 1, max: 250 * MB },
  serverStorageBytes: { min: 1, max: 250 * MB },
  // Lambda's own range.
  functionMemoryMb: { min: 128, max: 10_240 },
  // Lambda allows 900 s; the router that invokes the tenant has that at most, and must outlive it
  // by a margin to answer with its own 504 page (infra/aws/shared/timeouts.ts).
  functionTimeoutSeconds: { min: 1, max: 870 },
} as const;

export type LimitName = keyof typeof LIMIT_BOUNDS;
export const LIMIT_NAMES = Object.keys(LIMIT_BOUNDS) as LimitName[];

function limitSchema(name: LimitName) {
  const { min, max } = LIMIT_BOUNDS[name];
  return v.pipe(
    v.number(`${name} must be a number`),
    v.integer(`${name} must be an integer`),
    v.minValue(min, `${name} must be at least ${min}`),
    v.maxValue(max, `${name} must be at most ${max}`),
  );
}

/**
 * A limit read back from the table or a signed ticket: one stored while the maximum was higher
 * (buildTimeoutSeconds was 7200, functionTimeoutSeconds 900) is clamped to today's maximum rather
 * than refused, so the subscription keeps applying, at what the platform can now honour.
 */
function storedLimitSchema(name: LimitName) {
  const { min, max } = LIMIT_BOUNDS[name];
  return v.pipe(
    v.number(`${name} must be a number`),
    v.integer(`${name} must be an integer`),
    v.minValue(min, `${name} must be at least ${min}`),
    v.transform((value: number) => Math.min(value, max)),
  );
}

/** Every limit, each required: a subscription is complete or it is refused. */
export const Limits = v.strictObject(
  Object.fromEntries(LIMIT_NAMES.map((name) => [name, limitSchema(name)])) as { [K in LimitName]: ReturnType<typeof limitSchema> },
);

/** A stored subscription's limits: complete, each above its maximum clamped to it (storedLimitSchema). */
export const StoredLimits = v.strictObject(
  Object.fromEntries(LIMIT_NAMES.map((name) => [name, storedLimitSchema(name)])) as {
    [K in LimitName]: ReturnType<typeof storedLimitSchema>;
  },
);
export type Limits = Record<LimitName, number>;

/** The limits that ride in a build-and-deploy or rollback ticket: what the pipeline enforces. */
export const PIPELINE_LIMIT_NAMES = [
  'buildTimeoutSeconds',
  'prerenderedRoutesPerDeployment',
  'clientStorageBytes',
  'prerenderedStorageBytes',
  'serverStorageBytes',
  'functionMemoryMb',
  'functionTimeoutSeconds',
] as const satisfies readonly LimitName[];
export type PipelineLimitName = (typeof PIPELINE_LIMIT_NAMES)[number];
export type PipelineLimits = Record<PipelineLimitName, number>;

/** The limits a ticket carries; one signed before a maximum was lowered is clamped, like a stored subscription's. */
export const PipelineLimitsClaim = v.strictObject(
  Object.fromEntries(PIPELINE_LIMIT_NAMES.map((name) => [name, storedLimitSchema(name)])) as {
    [K in PipelineLimitName]: ReturnType<typeof storedLimitSchema>;
  },
);

export const DEFAULT_SUBSCRIPTION = 'free';
/** What the admin token's own projects run under unless an admin assigns it another subscription. */
export const OPERATOR_SUBSCRIPTION = 'operator';

/** Built-in subscriptions: used when a user has none and when no stored item overrides them. */
export const BUILT_IN_SUBSCRIPTIONS: Readonly<Record<string, Limits>> = {
  free: {
    projectsPerUser: 3,
    buildsPerDay: 20,
    deploymentsPerDay: 30,
    concurrentBuilds: 1,
    buildTimeoutSeconds: 900,
    customDomainsPerProject: 1,
    prerenderedRoutesPerDeployment: 1000,
    clientStorageBytes: 50 * MB,
    prerenderedStorageBytes: 50 * MB,
    serverStorageBytes: 50 * MB,
    functionMemoryMb: 1024,
    functionTimeoutSeconds: 30,
  },
  // The platform operator (the admin token): counts at the platform's maxima, per-deployment
  // sizes as large as the platform honours, function settings at sane defaults.
  operator: {
    projectsPerUser: LIMIT_BOUNDS.projectsPerUser.max,
    buildsPerDay: LIMIT_BOUNDS.buildsPerDay.max,
    deploymentsPerDay: LIMIT_BOUNDS.deploymentsPerDay.max,
    concurrentBuilds: 10,
    buildTimeoutSeconds: 900,
    customDomainsPerProject: LIMIT_BOUNDS.customDomainsPerProject.max,
    prerenderedRoutesPerDeployment: LIMIT_BOUNDS.prerenderedRoutesPerDeployment.max,
    clientStorageBytes: LIMIT_BOUNDS.clientStorageBytes.max,
    prerenderedStorageBytes: LIMIT_BOUNDS.prerenderedStorageBytes.max,
    serverStorageBytes: LIMIT_BOUNDS.serverStorageBytes.max,
    functionMemoryMb: 1024,
    functionTimeoutSeconds: 30,
  },
  pro: {
    projectsPerUser: 50,
    buildsPerDay: 200,
    deploymentsPerDay: 300,
    concurrentBuilds: 5,
    buildTimeoutSeconds: 2700,
    customDomainsPerProject: 10,
    prerenderedRoutesPerDeployment: 5000,
    clientStorageBytes: 200 * MB,
    prerenderedStorageBytes: 200 * MB,
    serverStorageBytes: 200 * MB,
    functionMemoryMb: 2048,
    functionTimeoutSeconds: 60,
  },
};

/**
 * The build limit the runner stops a build at: the subscription's, cut to the platform's build cap
 * when one is set (on AWS, context buildTimeoutSeconds), so the runner ends a long build itself,
 * with its message and log, before Batch ends the job at the cap plus the runner's wrap-up.
 */
export function runnerBuildTimeoutSeconds(subscriptionSeconds: number, platformCapSeconds: number | undefined): number {
  return platformCapSeconds === undefined ? subscriptionSeconds : Math.min(subscriptionSeconds, platformCapSeconds);
}

export function pipelineLimitsOf(limits: Limits): PipelineLimits {
  return Object.fromEntries(PIPELINE_LIMIT_NAMES.map((name) => [name, limits[name]])) as PipelineLimits;
}

/** What the pipeline applies when a ticket carries no limits (tickets signed before limits existed). */
export const DEFAULT_PIPELINE_LIMITS: PipelineLimits = pipelineLimitsOf(BUILT_IN_SUBSCRIPTIONS[DEFAULT_SUBSCRIPTION] as Limits);
