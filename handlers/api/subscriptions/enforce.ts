import { executionStatus } from '../executions.js';
import { pipelineLimitsOf, type LimitName, type PipelineLimits } from '../../lib/limits.js';
import { ApiError } from '../errors.js';
import { CANCELLABLE_STATUSES, getDeployment, getProject } from '../records.js';
import { countDaily, takeSlot, uncountDaily } from './counters.js';
import { removeSlotMembers } from '../../lib/table/usage.js';
import { subscriptionOf, type Subscription } from './store.js';
import { deleteCreatingProject } from '../../lib/table/projects.js';

/** How the current count of each limit reads in a refusal. */
const USAGE_WORDS: Record<LimitName, string> = {
  projectsPerUser: 'projects owned',
  buildsPerDay: 'builds started today',
  deploymentsPerDay: 'deployments started today',
  concurrentBuilds: 'builds running',
  buildTimeoutSeconds: 'seconds',
  customDomainsPerProject: 'custom domains on the project',
  prerenderedRoutesPerDeployment: 'prerendered routes',
  clientStorageBytes: 'bytes of client assets',
  prerenderedStorageBytes: 'bytes of prerendered pages',
  serverStorageBytes: 'bytes of server bundle',
  functionMemoryMb: 'MB',
  functionTimeoutSeconds: 'seconds',
};

/** The 429 every limit refuses with: it names the limit, its value, the subscription and the usage. */
export function limitExceeded(subscription: Subscription, limit: LimitName, current: number): ApiError {
  return new ApiError(
    'LimitExceeded',
    `limit ${limit} of subscription ${subscription.name} is ${subscription.limits[limit]}; ${current} ${USAGE_WORDS[limit]}`,
    `limit.${limit}`,
  );
}

/**
 * For counts other code keeps (e.g. custom domains): throws the 429 when one more would go over
 * the user's limit, i.e. when `currentCount` has already reached it.
 */
export async function assertWithinLimit(user: string, limit: LimitName, currentCount: number): Promise<void> {
  const subscription = await subscriptionOf(user);
  if (currentCount >= subscription.limits[limit]) throw limitExceeded(subscription, limit, currentCount);
}

/**
 * A build holds its slot while QUEUED or BUILDING and its execution runs. A member without a record
 * (or execution) yet is one being started right now; past the grace period, one whose start was cut
 * short (the API died between writing the record and starting the execution) holds nothing.
 */
const START_GRACE_MS = 60_000;
export async function buildStillRuns(member: string): Promise<boolean> {
  const [project, id] = member.split('/') as [string, string];
  const deployment = await getDeployment(project, id);
  const startedAt = parseInt(id.split('-')[1] ?? '', 36);
  const starting = Number.isFinite(startedAt) && Date.now() - startedAt < START_GRACE_MS;
  if (!deployment) return starting;
  if (!(CANCELLABLE_STATUSES as readonly string[]).includes(deployment.status)) return false;
  if (!deployment.executionArn) return true;
  const status = await executionStatus(deployment.executionArn);
  return status === undefined ? starting : status === 'RUNNING';
}

export interface DeploymentReservation {
  /** Signed into the execution's ticket. */
  limits: PipelineLimits;
  /** Gives back what was taken, when the execution could not be started. */
  release(): Promise<void>;
}

/**
 * Checks and counts one release for `owner` (whose subscription pays for the project): every
 * release counts against deploymentsPerDay; a build (build-and-deploy, not a rollback) also takes
 * a concurrent-build slot and counts against buildsPerDay. Refuses with a 429 naming the limit.
 */
export async function reserveDeployment(
  owner: string,
  release: { project: string; deploymentId?: string; build: boolean },
): Promise<DeploymentReservation> {
  const subscription = await subscriptionOf(owner);
  const { limits } = subscription;
  const undo: Array<() => Promise<void>> = [];
  const rollback = async () => {
    for (const step of undo.reverse())
      await step().catch((error: unknown) => console.error('slipway limits: could not give back a count', error));
  };
  try {
    if (release.build) {
      if (!release.deploymentId) throw new Error('a build reservation needs its deployment id');
      const member = `${release.project}/${release.deploymentId}`;
      const running = await takeSlot(owner, 'BUILDS', member, limits.concurrentBuilds, buildStillRuns);
      if (running !== undefined) throw limitExceeded(subscription, 'concurrentBuilds', running);
      undo.push(() => removeSlotMembers(owner, 'BUILDS', [member]));
      if (!(await countDaily(owner, 'builds', limits.buildsPerDay))) throw limitExceeded(subscription, 'buildsPerDay', limits.buildsPerDay);
      undo.push(() => uncountDaily(owner, 'builds'));
    }
    if (!(await countDaily(owner, 'deployments', limits.deploymentsPerDay)))
      throw limitExceeded(subscription, 'deploymentsPerDay', limits.deploymentsPerDay);
    undo.push(() => uncountDaily(owner, 'deployments'));
  } catch (error) {
    await rollback();
    throw error;
  }
  return { limits: pipelineLimitsOf(limits), release: rollback };
}

/** A project holds its owner's slot until it is being deleted. */
export function projectHeldBy(owner: string) {
  return async (name: string) => {
    const project = await getProject(name);
    return project !== undefined && project.owner === owner && project.status !== 'DELETING';
  };
}

/**
 * Called right after the project's record was created (so a concurrent check already sees it):
 * takes one of the owner's projectsPerUser slots, or removes the new record again and refuses.
 */
export async function claimProjectSlot(owner: string, name: string): Promise<void> {
  const subscription = await subscriptionOf(owner);
  const held = await takeSlot(owner, 'PROJECTS', name, subscription.limits.projectsPerUser, projectHeldBy(owner));
  if (held === undefined) return;
  await deleteCreatingProject(name, owner);
  throw limitExceeded(subscription, 'projectsPerUser', held);
}

/** Frees a project's slot as soon as it is being deleted (the check would also find it stale). */
export async function releaseProjectSlot(owner: string, name: string): Promise<void> {
  await removeSlotMembers(owner, 'PROJECTS', [name]);
}
