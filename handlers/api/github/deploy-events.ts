import { startDeployment } from '../start-deployment.js';
import { findProjectsByRepository } from '../records.js';
import type { GithubSource } from '../../lib/github/source-ref.js';
import { decidePush, pushedBranch, type PushDecision } from './branch-rules.js';
import { pushRecorded, putPushRecord } from '../../lib/table/pushes.js';
import type { PullRequestPayload, PushPayload } from './payloads.js';

/** What a delivery started, per project, as the webhook answers it. */
export interface StartedDelivery {
  project: string;
  kind: 'production' | 'preview';
  alias?: string;
  branch: string;
  commit: string;
  deploymentId: string;
  withholdSecrets?: boolean;
}

export type DeliveryOutcome = { ignored: string } | { deliveries: StartedDelivery[]; skipped: { project: string; reason: string }[] };

/**
 * Starts build-and-deploy for each decision (nothing else: the fetch happens in the workflow) and
 * records it under the delivery id. A project this delivery already started is skipped, so a
 * redelivery after a partial failure starts only what did not start.
 */
async function startAll(
  delivery: string,
  repository: string,
  installationId: number,
  decisions: PushDecision[],
  owners: Map<string, string>,
  withholdSecrets: boolean,
): Promise<StartedDelivery[]> {
  const started: StartedDelivery[] = [];
  for (const decision of decisions) {
    if (await pushRecorded(decision.project, delivery)) continue;
    const github: GithubSource = { repository, commit: decision.commit, installationId };
    const deployment = await startDeployment({
      project: decision.project,
      // Builds from GitHub count as the project owner's.
      user: owners.get(decision.project) ?? 'github',
      owner: owners.get(decision.project) ?? 'github',
      github,
      ...(decision.kind === 'preview' ? { preview: decision.alias } : {}),
      ...(withholdSecrets ? { withholdSecrets: true } : {}),
    });
    await putPushRecord({
      project: decision.project,
      delivery,
      kind: decision.kind,
      ...(decision.kind === 'preview' ? { alias: decision.alias } : {}),
      branch: decision.branch,
      commit: decision.commit,
      repository: repository.toLowerCase(),
      installationId,
      status: 'STARTED',
      deploymentId: deployment.id,
      ...(withholdSecrets ? { withholdSecrets: true } : {}),
      createdAt: deployment.createdAt,
    });
    started.push({
      project: decision.project,
      kind: decision.kind,
      ...(decision.kind === 'preview' ? { alias: decision.alias } : {}),
      branch: decision.branch,
      commit: decision.commit,
      deploymentId: deployment.id,
      ...(withholdSecrets ? { withholdSecrets: true } : {}),
    });
  }
  return started;
}

/** A push: production for the production branch, a preview for any other (see branch-rules). */
export async function handlePush(delivery: string, push: PushPayload): Promise<DeliveryOutcome> {
  const facts = { ref: push.ref, after: push.after, deleted: push.deleted, defaultBranch: push.repository.default_branch };
  const branch = pushedBranch(facts);
  if ('ignored' in branch) return branch;
  const repository = push.repository.full_name;
  const projects = await findProjectsByRepository(repository);
  const outcome = decidePush(facts, projects);
  if ('ignored' in outcome) return outcome;
  if (outcome.decisions.length === 0 && outcome.skipped.length === 0) return { ignored: `no project is linked to ${repository}` };
  const owners = new Map(projects.map((p) => [p.name, p.owner]));
  const deliveries = await startAll(delivery, repository, push.installation.id, outcome.decisions, owners, false);
  return { deliveries, skipped: outcome.skipped };
}

const PULL_REQUEST_ACTIONS = new Set(['opened', 'synchronize', 'reopened']);

/**
 * A pull request from a fork: its commits never arrive as pushes to the repository, so it gets a
 * preview (`pr-<number>`) built without the project's secrets; an owner's approval redeploys the
 * same commit with them. Same-repository pull requests are deployed by their branch's pushes.
 */
export async function handlePullRequest(delivery: string, event: PullRequestPayload): Promise<DeliveryOutcome> {
  if (!PULL_REQUEST_ACTIONS.has(event.action)) return { ignored: `pull_request action ${event.action}` };
  const base = event.pull_request.base.repo.full_name;
  const head = event.pull_request.head.repo?.full_name;
  if (!head) return { ignored: 'the pull request head repository no longer exists' };
  if (head.toLowerCase() === base.toLowerCase())
    return { ignored: 'pull request from a branch of the same repository: its pushes deploy it' };
  const projects = await findProjectsByRepository(base);
  if (projects.length === 0) return { ignored: `no project is linked to ${base}` };
  const decisions: PushDecision[] = [];
  const skipped: { project: string; reason: string }[] = [];
  for (const project of projects) {
    if (project.status !== 'READY') skipped.push({ project: project.name, reason: `project is ${project.status}, not READY` });
    else
      decisions.push({
        project: project.name,
        kind: 'preview',
        alias: `pr-${event.number}`,
        branch: event.pull_request.head.ref,
        commit: event.pull_request.head.sha,
      });
  }
  const owners = new Map(projects.map((p) => [p.name, p.owner]));
  // GitHub serves a fork's pull request commits through the base repository too.
  const deliveries = await startAll(delivery, base, event.installation.id, decisions, owners, true);
  return { deliveries, skipped };
}
