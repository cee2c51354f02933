import * as v from 'valibot';
import { MAX_SOURCE_BYTES } from '../lib/limits.js';
import { DEPLOYMENT_ID, DeploymentId, PROJECT_NAME, ProjectName, RepositoryFullName } from '../lib/names.js';
import { PreviewAlias } from '../previews/alias.js';
import { OPERATIONS } from '../lib/ticket.js';
import { RootDirectory } from '../lib/project-settings/schemas.js';

/** Defined with the other shared names; re-exported because every route schema is read from here. */
export { DeploymentId, ProjectName };

export const CreateSourceBody = v.strictObject({
  bytes: v.pipe(
    v.number('must be a number'),
    v.integer('must be an integer'),
    v.minValue(1, 'must be at least 1'),
    v.maxValue(MAX_SOURCE_BYTES, `exceeds the source archive limit of ${MAX_SOURCE_BYTES} bytes`),
  ),
});

export const CreateDeploymentBody = v.strictObject({
  source: v.strictObject({ key: v.pipe(v.string(), v.minLength(1), v.maxLength(300)) }),
  /** The git commit the source was packed from, when the CLI found one: it goes into the execution name. */
  commit: v.optional(v.pipe(v.string(), v.regex(/^[0-9a-f]{7,40}$/, 'must be a hexadecimal git commit id (7–40 characters)'))),
  /** A preview alias: the deployment answers at `<project>--<alias>` and production stays as it is. */
  preview: v.optional(PreviewAlias),
  /**
   * The app's folder inside this source, overriding the project's rootDirectory setting for this
   * deployment: the CLI uploads a monorepo's workspace root and names the app's folder here.
   */
  rootDirectory: v.optional(RootDirectory),
});

/** The deployment to make live again (it must have been live once). */
export const RollbackBody = v.strictObject({
  deploymentId: DeploymentId,
  /** Required (true) when the deployment is a preview's: a preview becomes production only when that is said. */
  promote: v.optional(v.boolean('must be true or false')),
});

export const LogsQuery = v.object({ cursor: v.optional(v.pipe(v.string(), v.maxLength(300))) });

export const EXECUTION_STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'] as const;
/** The platform's workflows, each a state machine: the pipeline's operations and the template rollout. */
export const WORKFLOWS = [...OPERATIONS, 'template-rollout'] as const;
export type Workflow = (typeof WORKFLOWS)[number];
export const EXECUTIONS_LIMIT_MAX = 100;
/** `limit` (1–100, a string as query values are) defaults to 50; `nextToken` is the previous page's, for the same filters. */
export const ExecutionsQuery = v.object({
  status: v.optional(v.picklist(EXECUTION_STATUSES, `must be one of ${EXECUTION_STATUSES.join(', ')}`)),
  workflow: v.optional(v.picklist(WORKFLOWS, `must be one of ${WORKFLOWS.join(', ')}`)),
  limit: v.optional(v.pipe(v.string(), v.regex(/^([1-9]\d?|100)$/, `must be a whole number from 1 to ${EXECUTIONS_LIMIT_MAX}`))),
  nextToken: v.optional(v.pipe(v.string(), v.maxLength(8000, 'is longer than a page token'))),
});

/**
 * A build-and-deploy execution name, as executionName() makes it:
 * `<project>--build-deploy--[<commit7>--]<deployment id>` (at most 80 characters).
 */
export const BUILD_DEPLOY_EXECUTION = new RegExp(`^(${PROJECT_NAME})--build-deploy--(?:[0-9a-f]{7}--)?${DEPLOYMENT_ID}$`);
export const BuildDeployExecutionName = v.pipe(
  v.string(),
  v.maxLength(80, 'is longer than an execution name (80 characters)'),
  v.regex(BUILD_DEPLOY_EXECUTION, 'is not a build-and-deploy execution name (<project>--build-deploy--[<commit>--]<deployment id>)'),
);

/** Any execution Slipway starts: Step Functions' name limit, in the characters Slipway's names use. */
export const ExecutionName = v.pipe(
  v.string(),
  v.maxLength(80, 'is longer than an execution name (80 characters)'),
  v.regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'is not an execution name (letters, digits, - and _)'),
);

export const AUDIT_LIMIT_MAX = 500;
/** `month` defaults to the current UTC month; `limit` (1–500, a string as query values are) to 100. */
export const AuditQuery = v.object({
  month: v.optional(v.pipe(v.string(), v.regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month as YYYY-MM'))),
  limit: v.optional(v.pipe(v.string(), v.regex(/^([1-9]\d?|[1-4]\d\d|500)$/, `must be a whole number from 1 to ${AUDIT_LIMIT_MAX}`))),
  /** The previous page's `nextToken`, for the same month. */
  nextToken: v.optional(v.pipe(v.string(), v.maxLength(200, 'is longer than a page token'))),
});

/** A git branch name (the characters git allows in a ref, no `..`, not starting with `-`). */
export const BranchName = v.pipe(
  v.string('must be a string'),
  v.maxLength(255, 'must be at most 255 characters'),
  v.regex(/^(?!-)(?!.*\.\.)[A-Za-z0-9._\/-]+$/, 'must be a git branch name (A–Z, a–z, 0–9, ".", "_", "/", "-")'),
);

/** Links a project to a GitHub repository its caller's App installation grants. */
export const LinkRepositoryBody = v.strictObject({ repository: RepositoryFullName, productionBranch: v.optional(BranchName) });

/** A new project; with `repository` it is linked at once (the same grant check as linking later). */
export const CreateProjectBody = v.strictObject({
  name: ProjectName,
  repository: v.optional(RepositoryFullName),
  productionBranch: v.optional(BranchName),
});
