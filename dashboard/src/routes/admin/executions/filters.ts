import type { paths } from '$lib/api/schema';

type Query = NonNullable<paths['/executions']['get']['parameters']['query']>;
type Status = NonNullable<Query['status']>;
type Workflow = NonNullable<Query['workflow']>;

export const STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'] as const satisfies readonly Status[];

/** The platform's workflows, each a state machine, with what an operator calls them. */
export const WORKFLOW_TITLES: Record<Workflow, string> = {
  'build-deploy': 'Build and deploy',
  'init-project': 'Create project',
  'delete-project': 'Delete project',
  rollback: 'Rollback',
  'template-rollout': 'Template rollout',
};
export const WORKFLOWS = Object.keys(WORKFLOW_TITLES) as Workflow[];

/** The query value when it is one of the allowed ones; anything else means no filter. */
export function pick<T extends string>(allowed: readonly T[], value: string | null): T | undefined {
  return allowed.find((candidate) => candidate === value);
}

/** Statuses after which the API retries a build-and-deploy (handlers/api/routes/admin.ts). */
export const RETRYABLE = ['FAILED', 'ABORTED', 'TIMED_OUT'];
