import * as v from 'valibot';
import { CreateUserBody, IssueTokenBody, Login, OAuthCallbackQuery, SetRolesBody, TokenId } from './identity/schemas.js';
import { ROLES, PERMISSIONS } from './identity/roles.js';
import { toJsonSchema, type JsonSchema } from '@valibot/to-json-schema';
import type { ErrorCode } from './errors.js';
import type { Permission } from './identity/roles.js';
import {
  AuditQuery,
  BuildDeployExecutionName,
  CreateDeploymentBody,
  CreateProjectBody,
  CreateSourceBody,
  DeploymentId,
  EXECUTION_STATUSES,
  ExecutionsQuery,
  LinkRepositoryBody,
  LogsQuery,
  ProjectName,
  RollbackBody,
} from './schemas.js';
import { Limits } from '../lib/limits.js';
import { SubscriptionName } from './subscriptions/store.js';
import { AssignSubscriptionBody, PutSubscriptionBody } from './subscriptions/routes.js';
import {
  AddDomainBody,
  DomainName,
  ENV_TARGETS,
  EnvKey,
  NODE_VERSIONS,
  PutEnvBody,
  SettingsPatch,
} from '../lib/project-settings/schemas.js';

/**
 * The API's OpenAPI 3.1 document, built from one route table.
 *
 * To add a route: register it in the Hono app, then add a row to ROUTES (and, if its path has a new
 * parameter, an entry to PATH_PARAMETERS). Request bodies and query parameters come from the same
 * valibot schemas the handlers parse with; nothing is copied by hand. test/api/contract.test.ts
 * fails while the app and this table disagree, and validates real responses against the document.
 */

/** Where the app is mounted; document paths are relative to it (it is the document's server URL). */
export const API_BASE = '/api/v1';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** Error statuses an operation may answer with, beyond the 500 every operation can give. */
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 429;

export interface RouteSpec {
  method: HttpMethod;
  /** OpenAPI path below API_BASE, parameters as `{name}`. */
  path: string;
  operationId: string;
  summary: string;
  tag: string;
  /** Whether the route needs `Authorization: Bearer <token>` (or a session cookie). */
  auth: boolean;
  /**
   * Who may call it: anyone (`public`), any signed-in caller, the project's owner or holders of
   * projects:read-any / projects:write-any (`project:read` / `project:write`), or holders of a
   * permission. docs/PERMISSIONS.md is generated from this; test/api/roles.test.ts checks the app.
   */
  access: Access;
  /** An object schema: each entry becomes one query parameter. */
  query?: v.GenericSchema;
  /** The JSON request body. */
  body?: v.GenericSchema;
  /** Request headers the route reads (beyond Authorization), each with its schema. */
  headers?: readonly { name: string; description: string; schema: v.GenericSchema }[];
  /** Success statuses and their bodies (JSON unless `contentType` says otherwise). */
  responses: Partial<Record<200 | 201 | 202 | 204, v.GenericSchema>>;
  /** A route that answers with a redirect (302 and a Location header): what the Location is. */
  redirect?: string;
  /** The success bodies' media type; default `application/json`. A `text/event-stream` body is described as a string. */
  contentType?: 'application/json' | 'text/event-stream';
  errors: readonly ErrorStatus[];
}

export type Access = 'public' | 'signed-in' | 'project:read' | 'project:write' | Permission;

/** Every path parameter used in ROUTES, with the schema the handlers parse it with. */
export const PATH_PARAMETERS: Record<string, { schema: v.GenericSchema; description: string }> = {
  name: { schema: ProjectName, description: 'The project name (a DNS label).' },
  id: { schema: DeploymentId, description: 'The deployment id.' },
  login: { schema: Login, description: 'A user login (a GitHub login, case-insensitive).' },
  token: { schema: TokenId, description: 'An API token id (the part after `slw_`; never the secret).' },
  subscription: { schema: SubscriptionName, description: 'A subscription name.' },
  key: {
    schema: EnvKey,
    description: 'An environment variable name (AWS_*, SLIPWAY_*, LAMBDA_*, _*, NODE_OPTIONS and a few more are reserved).',
  },
  domain: { schema: DomainName, description: 'A custom domain (lowercase host name).' },
  execution: {
    schema: BuildDeployExecutionName,
    description: 'A build-and-deploy execution name: `<project>--build-deploy--[<commit>--]<deployment id>`.',
  },
};

// ---- response bodies (what the handlers return; objects stay open so fields can be added) ----

const ERROR_CODES = [
  'BadRequest',
  'Unauthorized',
  'Forbidden',
  'NotFound',
  'Conflict',
  'PayloadTooLarge',
  'LimitExceeded',
  'Internal',
] as const satisfies readonly ErrorCode[];
// Fails to compile when errors.ts gains a code this list lacks.
const _allCodes: readonly (typeof ERROR_CODES)[number][] = [] as ErrorCode[];
void _allCodes;

/** The body of every error: `{ error: { code, message, field? } }`. */
export const ErrorBody = v.strictObject({
  error: v.strictObject({
    code: v.picklist(ERROR_CODES),
    message: v.string(),
    /** The offending input, as `body.x.y`, `query.x` or `path.x`. */
    field: v.optional(v.string()),
  }),
});

const Project = v.object({
  name: ProjectName,
  owner: v.string(),
  status: v.string(),
  createdAt: v.string(),
  liveDeploymentId: v.optional(v.string()),
  liveAt: v.optional(v.string()),
  /** The live deployment's SvelteKit `paths.base`, included in `url`. */
  liveBasePath: v.optional(v.string()),
  executionName: v.optional(v.string()),
  failedState: v.optional(v.string()),
  error: v.optional(v.string()),
  cause: v.optional(v.string()),
  /** The tenant URL, when the back end has a tenant domain. */
  url: v.optional(v.string()),
  /** The linked GitHub repository (lowercase) and the branch that deploys to production. */
  repository: v.optional(v.string()),
  productionBranch: v.optional(v.string()),
});

const Source = v.object({ bucket: v.string(), key: v.string() });

const Deployment = v.object({
  id: DeploymentId,
  project: ProjectName,
  status: v.string(),
  createdAt: v.string(),
  createdBy: v.string(),
  source: Source,
  commit: v.optional(v.string()),
  executionArn: v.optional(v.string()),
  executionName: v.optional(v.string()),
  failedState: v.optional(v.string()),
  error: v.optional(v.string()),
  cause: v.optional(v.string()),
  cancelledAt: v.optional(v.string()),
  cancelledBy: v.optional(v.string()),
  /** The failed deployment this one retries. */
  retryOf: v.optional(DeploymentId),
  /** The deployment that retried this failed one. */
  retriedBy: v.optional(DeploymentId),
  /** Whether this deployment is the live one (lists and detail only). */
  current: v.optional(v.boolean()),
  /** The preview alias: the deployment answers at `<project>--<alias>`, production is untouched. */
  preview: v.optional(v.string()),
  /** Where it answers: the preview's host, or the project's host for the live deployment. */
  url: v.optional(v.string()),
  /** The GitHub commit it was fetched from (pushes and pull requests). */
  github: v.optional(v.object({ repository: v.string(), commit: v.string(), installationId: v.number() })),
  /** A fork's preview, built without the project's secrets until an owner approves it. */
  withholdSecrets: v.optional(v.boolean()),
  secrets: v.optional(v.literal('withheld')),
  /** The withheld deployment this one approves / who approved this one and as which deployment. */
  approvalOf: v.optional(DeploymentId),
  approvedBy: v.optional(v.string()),
  approvedAs: v.optional(DeploymentId),
});

/**
 * The build log as server-sent events: `event: log` (data: the chunk's text, id: the chunk key),
 * a `: heartbeat` comment every 15 s while idle, then one `event: end` whose data is the JSON
 * `{ "status", "failedState"?, "error"? }`. A stream that fails sends `event: error` (data: the message).
 */
const LogEventStream = v.pipe(
  v.string(),
  v.description(
    'text/event-stream: `event: log` messages (data: a log chunk, id: its key; send it back as Last-Event-ID to resume after it), then `event: end` with data `{"status","failedState"?,"error"?}` once the deployment is terminal or its execution stopped.',
  ),
);

const LastEventId = v.pipe(
  v.string(),
  v.maxLength(300),
  v.regex(/^builds\/d-[a-z0-9-]{4,40}\/log\//, "must be an event id of this deployment's log"),
);

const ExecutionStatus = v.picklist(EXECUTION_STATUSES);

const ExecutionListItem = v.object({
  executionArn: v.string(),
  stateMachineArn: v.string(),
  name: v.string(),
  status: ExecutionStatus,
  startDate: v.string(),
  stopDate: v.optional(v.string()),
});

/** Allow-listed fields of an execution's input or output (handlers/api/execution-view.ts): never the ticket or anything else. */
const ExecutionData = v.strictObject({
  project: v.optional(v.string()),
  deploymentId: v.optional(v.string()),
  preview: v.optional(v.string()),
  sourceKey: v.optional(v.string()),
  github: v.optional(v.strictObject({ repository: v.optional(v.string()), commit: v.optional(v.string()) })),
  withholdSecrets: v.optional(v.literal(true)),
});

const ExecutionState = v.strictObject({
  name: v.string(),
  type: v.pipe(v.string(), v.description('The ASL state type: Task, Pass, Choice, Wait, Succeed, Fail.')),
  status: v.pipe(
    v.picklist(['entered', 'succeeded', 'failed', 'retried', 'caught', 'interrupted']),
    v.description(
      'entered: running; retried: succeeded after `retries` failed attempts; caught: failed and the workflow went on to record the failure; failed: its failure ended the execution; interrupted: the platform stopped while it ran and the execution was redriven.',
    ),
  ),
  start: v.string(),
  end: v.optional(v.string()),
  durationMs: v.optional(v.number()),
  retries: v.optional(v.number()),
  error: v.optional(v.string()),
  cause: v.optional(
    v.pipe(
      v.string(),
      v.description(
        'Summarised: a Batch job as its status reason and exit code, a Lambda error as type and message; credential-looking text redacted; at most 500 characters.',
      ),
    ),
  ),
  summary: v.optional(
    v.pipe(
      v.record(v.string(), v.union([v.string(), v.number()])),
      v.description(
        'Allow-listed result fields of the state: Fetch source sourceKey; Build jobId; Validate output digest, files; Release live, previous, preview; Check target deploymentId. Other states have none.',
      ),
    ),
  ),
});

const StateMachineGraph = v.strictObject({
  name: v.string(),
  startAt: v.string(),
  states: v.array(
    v.strictObject({
      name: v.string(),
      type: v.string(),
      next: v.pipe(v.array(v.string()), v.description('Where the state may go: Next, Choice rules and Default, Catch targets.')),
      onError: v.optional(v.pipe(v.array(v.string()), v.description('The transitions taken on a caught failure.'))),
      end: v.optional(v.literal(true)),
    }),
  ),
});

const ExecutionView = v.strictObject({
  name: v.optional(v.string()),
  stateMachine: v.optional(v.string()),
  status: ExecutionStatus,
  startDate: v.optional(v.string()),
  stopDate: v.optional(v.string()),
  durationMs: v.optional(v.number()),
  redriveCount: v.optional(
    v.pipe(v.number(), v.description('How often the execution was redriven after the platform stopped while it ran.')),
  ),
  input: v.optional(ExecutionData),
  output: v.optional(ExecutionData),
  error: v.optional(v.string()),
  cause: v.optional(v.string()),
  states: v.array(ExecutionState),
});

/** A GitHub webhook payload: its shape depends on X-GitHub-Event (push fields are checked by the handler). */
const GithubWebhookPayload = v.record(v.string(), v.unknown());
const WebhookIgnored = v.object({ ignored: v.string() });
const PushDelivery = v.object({
  project: ProjectName,
  kind: v.picklist(['production', 'preview']),
  /** Preview deployments: the DNS-label alias of the branch. */
  alias: v.optional(v.string()),
  branch: v.string(),
  commit: v.string(),
  /** The deployment the delivery started. */
  deploymentId: DeploymentId,
  /** A fork's pull request: built without secrets. */
  withholdSecrets: v.optional(v.boolean()),
});
const InstallationChange = v.object({ installation: v.number(), action: v.string() });
const LinkableRepository = v.object({ repository: v.string(), installationId: v.number() });

const AuditEntry = v.object({
  actor: v.string(),
  /** e.g. `project.create`, `deployment.create`, `deployment.retry`. */
  action: v.string(),
  target: v.string(),
  status: v.number(),
  requestId: v.string(),
  at: v.string(),
  /** When the entry is removed (epoch seconds). */
  expiresAt: v.number(),
});

const User = v.object({
  login: v.string(),
  roles: v.array(v.picklist(ROLES)),
  createdAt: v.string(),
  createdBy: v.string(),
  subscription: v.optional(v.string()),
  githubId: v.optional(v.number()),
  lastSignInAt: v.optional(v.string()),
});

/** An API token's record: never the token itself, which is shown once, when issued. */
const ApiTokenRecord = v.object({
  id: v.string(),
  user: v.string(),
  label: v.string(),
  createdAt: v.string(),
  createdBy: v.string(),
  expiresAt: v.optional(v.number()),
});
const IssuedToken = v.object({
  token: v.pipe(v.string(), v.description('`slw_<id>_<secret>`: shown only in this response.')),
  record: ApiTokenRecord,
});

const Me = v.object({
  user: v.string(),
  roles: v.array(v.picklist(ROLES)),
  permissions: v.array(v.picklist(PERMISSIONS)),
  via: v.picklist(['admin-token', 'api-token', 'session']),
});

const Subscription = v.object({
  name: SubscriptionName,
  limits: Limits,
  /** `built-in` (defined in code) until an admin stores it. */
  origin: v.picklist(['built-in', 'stored']),
  updatedAt: v.optional(v.string()),
  updatedBy: v.optional(v.string()),
});

const Usage = v.object({ projects: v.number(), buildsToday: v.number(), deploymentsToday: v.number(), concurrentBuilds: v.number() });

const Settings = v.object({
  buildCommand: v.optional(v.string()),
  installCommand: v.optional(v.string()),
  rootDirectory: v.optional(v.string()),
  nodeVersion: v.optional(v.picklist(NODE_VERSIONS)),
});
const SettingsResponse = v.object({ project: ProjectName, settings: Settings });

/** A variable as listed: `value` only for plain ones, never for a secret. */
const EnvVariable = v.object({
  key: v.string(),
  target: v.picklist(ENV_TARGETS),
  secret: v.boolean(),
  value: v.optional(v.string()),
  updatedAt: v.string(),
  updatedBy: v.string(),
});

const Domain = v.object({ domain: v.string(), project: ProjectName, createdAt: v.string(), createdBy: v.string() });

const OpenApiBody = v.object({
  openapi: v.string(),
  info: v.object({ title: v.string(), version: v.string() }),
  paths: v.record(v.string(), v.unknown()),
});

// ---- the route table ----

export const ROUTES: readonly RouteSpec[] = [
  {
    method: 'get',
    path: '/health',
    operationId: 'getHealth',
    summary: 'Liveness check',
    tag: 'meta',
    auth: false,
    access: 'public',
    responses: { 200: v.object({ ok: v.literal(true) }) },
    errors: [],
  },
  {
    method: 'get',
    path: '/openapi.json',
    operationId: 'getOpenApiDocument',
    summary: 'This OpenAPI document',
    tag: 'meta',
    auth: false,
    access: 'public',
    responses: { 200: OpenApiBody },
    errors: [],
  },
  {
    method: 'get',
    path: '/projects',
    operationId: 'listProjects',
    summary: 'List projects',
    tag: 'projects',
    auth: true,
    access: 'signed-in',
    responses: { 200: v.object({ projects: v.array(Project) }) },
    errors: [401],
  },
  {
    method: 'post',
    path: '/projects',
    operationId: 'createProject',
    summary: 'Create a project (starts init-project)',
    tag: 'projects',
    auth: true,
    access: 'projects:create',
    body: CreateProjectBody,
    responses: { 202: v.object({ project: Project, executionArn: v.string() }) },
    errors: [400, 401, 409, 413, 429],
  },
  {
    method: 'get',
    path: '/projects/{name}',
    operationId: 'getProject',
    summary: 'Get a project',
    tag: 'projects',
    auth: true,
    access: 'project:read',
    responses: { 200: v.object({ project: Project }) },
    errors: [400, 401, 404],
  },
  {
    method: 'delete',
    path: '/projects/{name}',
    operationId: 'deleteProject',
    summary: 'Delete a project (starts delete-project)',
    tag: 'projects',
    auth: true,
    access: 'project:write',
    responses: { 202: v.object({ project: ProjectName, status: v.literal('DELETING'), executionArn: v.string() }) },
    errors: [400, 401, 404, 409, 413],
  },
  {
    method: 'post',
    path: '/projects/{name}/sources',
    operationId: 'createSourceUpload',
    summary: 'Get a presigned upload for a source archive',
    tag: 'deployments',
    auth: true,
    access: 'project:write',
    body: CreateSourceBody,
    responses: {
      201: v.object({
        uploadUrl: v.string(),
        method: v.literal('PUT'),
        headers: v.record(v.string(), v.string()),
        source: Source,
        expiresIn: v.number(),
      }),
    },
    errors: [400, 401, 404, 413],
  },
  {
    method: 'get',
    path: '/projects/{name}/deployments',
    operationId: 'listDeployments',
    summary: "List a project's deployments, newest first",
    tag: 'deployments',
    auth: true,
    access: 'project:read',
    responses: { 200: v.object({ deployments: v.array(Deployment) }) },
    errors: [400, 401, 404],
  },
  {
    method: 'post',
    path: '/projects/{name}/deployments',
    operationId: 'createDeployment',
    summary: 'Build and deploy an uploaded source (starts build-and-deploy)',
    tag: 'deployments',
    auth: true,
    access: 'project:write',
    body: CreateDeploymentBody,
    responses: { 202: v.object({ deployment: Deployment }) },
    errors: [400, 401, 404, 409, 413, 429],
  },
  {
    method: 'get',
    path: '/projects/{name}/deployments/{id}',
    operationId: 'getDeployment',
    summary: 'Get a deployment',
    tag: 'deployments',
    auth: true,
    access: 'project:read',
    responses: { 200: v.object({ deployment: Deployment }) },
    errors: [400, 401, 404],
  },
  {
    method: 'get',
    path: '/projects/{name}/deployments/{id}/logs',
    operationId: 'getDeploymentLogs',
    summary: "A deployment's build log from a cursor on",
    tag: 'deployments',
    auth: true,
    access: 'project:read',
    query: LogsQuery,
    responses: { 200: v.object({ text: v.string(), cursor: v.nullable(v.string()), done: v.boolean(), status: v.string() }) },
    errors: [400, 401, 404],
  },
  {
    method: 'get',
    path: '/projects/{name}/deployments/{id}/logs/stream',
    operationId: 'streamDeploymentLogs',
    summary: "Follow a deployment's build log live (server-sent events) until the deployment ends",
    tag: 'deployments',
    auth: true,
    access: 'project:read',
    headers: [
      { name: 'Last-Event-ID', description: 'Resume after this log event id (a chunk key of this deployment).', schema: LastEventId },
    ],
    contentType: 'text/event-stream',
    responses: { 200: LogEventStream },
    errors: [400, 401, 404],
  },
  {
    method: 'post',
    path: '/projects/{name}/deployments/{id}/cancel',
    operationId: 'cancelDeployment',
    summary: 'Cancel a QUEUED or BUILDING deployment: stops its execution and build; the live version stays live (409 otherwise)',
    tag: 'deployments',
    auth: true,
    access: 'project:write',
    responses: { 202: v.object({ deployment: Deployment }) },
    errors: [400, 401, 404, 409, 413],
  },
  {
    method: 'get',
    path: '/projects/{name}/deployments/{id}/execution',
    operationId: 'getDeploymentExecution',
    summary:
      "A deployment's pipeline execution, state by state: a view (status, times, summarised errors, allow-listed results), never the raw input, output or history, for every role",
    tag: 'deployments',
    auth: true,
    access: 'project:read',
    responses: { 200: v.object({ execution: ExecutionView, stateMachine: v.optional(StateMachineGraph) }) },
    errors: [400, 401, 404],
  },
  {
    method: 'post',
    path: '/projects/{name}/rollback',
    operationId: 'rollbackProject',
    summary: 'Make an earlier deployment live again (starts rollback: no rebuild, no CDN invalidation)',
    tag: 'deployments',
    auth: true,
    access: 'project:write',
    body: RollbackBody,
    responses: {
      202: v.object({
        rollback: v.object({ project: ProjectName, deploymentId: DeploymentId, executionArn: v.string(), executionName: v.string() }),
      }),
    },
    errors: [400, 401, 404, 409, 413, 429],
  },
  {
    method: 'get',
    path: '/projects/{name}/settings',
    operationId: 'getProjectSettings',
    summary: "A project's build settings (build and install command, root directory, Node version)",
    tag: 'settings',
    auth: true,
    access: 'project:read',
    responses: { 200: SettingsResponse },
    errors: [400, 401, 404],
  },
  {
    method: 'patch',
    path: '/projects/{name}/settings',
    operationId: 'updateProjectSettings',
    summary: 'Change build settings (null resets a field to the default); the next deployment uses them',
    tag: 'settings',
    auth: true,
    access: 'project:write',
    body: SettingsPatch,
    responses: { 200: SettingsResponse },
    errors: [400, 401, 404, 409, 413],
  },
  {
    method: 'get',
    path: '/projects/{name}/env',
    operationId: 'listProjectEnv',
    summary: "A project's environment variables: plain values shown, secrets by name only (secret: true)",
    tag: 'settings',
    auth: true,
    access: 'project:read',
    responses: { 200: v.object({ project: ProjectName, variables: v.array(EnvVariable) }) },
    errors: [400, 401, 404],
  },
  {
    method: 'put',
    path: '/projects/{name}/env/{key}',
    operationId: 'setProjectEnv',
    summary:
      'Set an environment variable or secret (encrypted at rest, never returned); target build, runtime or both (default); the next deployment uses it',
    tag: 'settings',
    auth: true,
    access: 'project:write',
    body: PutEnvBody,
    responses: { 200: v.object({ project: ProjectName, variable: EnvVariable, created: v.boolean() }) },
    errors: [400, 401, 404, 409, 413],
  },
  {
    method: 'delete',
    path: '/projects/{name}/env/{key}',
    operationId: 'unsetProjectEnv',
    summary: 'Remove an environment variable or secret; the next deployment goes without it',
    tag: 'settings',
    auth: true,
    access: 'project:write',
    responses: { 200: v.object({ project: ProjectName, deleted: v.string() }) },
    errors: [400, 401, 404, 409, 413],
  },
  {
    method: 'get',
    path: '/projects/{name}/domains',
    operationId: 'listProjectDomains',
    summary: "A project's custom domains",
    tag: 'settings',
    auth: true,
    access: 'project:read',
    responses: { 200: v.object({ project: ProjectName, domains: v.array(Domain) }) },
    errors: [400, 401, 404],
  },
  {
    method: 'post',
    path: '/projects/{name}/domains',
    operationId: 'addProjectDomain',
    summary: 'Add a custom domain (unique across all projects, 409 if taken); the edge serves it from the next release',
    tag: 'settings',
    auth: true,
    access: 'project:write',
    body: AddDomainBody,
    responses: { 201: v.object({ project: ProjectName, domain: Domain }) },
    errors: [400, 401, 404, 409, 413, 429],
  },
  {
    method: 'delete',
    path: '/projects/{name}/domains/{domain}',
    operationId: 'removeProjectDomain',
    summary: 'Remove a custom domain; the edge stops serving it at the next release',
    tag: 'settings',
    auth: true,
    access: 'project:write',
    responses: { 200: v.object({ project: ProjectName, deleted: v.string() }) },
    errors: [400, 401, 404, 409, 413],
  },
  {
    method: 'get',
    path: '/executions',
    operationId: 'listExecutions',
    summary: 'List pipeline executions, newest first (admin)',
    tag: 'executions',
    auth: true,
    access: 'executions:read',
    query: ExecutionsQuery,
    responses: { 200: v.object({ executions: v.array(ExecutionListItem) }) },
    errors: [400, 401, 403],
  },
  {
    method: 'get',
    path: '/admin/audit',
    operationId: 'listAuditEntries',
    summary: 'The audit log of one month (UTC, default the current one), newest first: every mutating call that succeeded (admin)',
    tag: 'admin',
    auth: true,
    access: 'audit:read',
    query: AuditQuery,
    responses: { 200: v.object({ month: v.string(), entries: v.array(AuditEntry) }) },
    errors: [400, 401, 403],
  },
  {
    method: 'post',
    path: '/admin/executions/{execution}/retry',
    operationId: 'retryExecution',
    summary:
      'Retry a FAILED deployment by its build-and-deploy execution: a new execution of the same source with a fresh deployment id and ticket (admin)',
    tag: 'admin',
    auth: true,
    access: 'executions:retry',
    responses: { 202: v.object({ deployment: Deployment }) },
    errors: [400, 401, 403, 404, 409, 413, 429],
  },
  {
    method: 'get',
    path: '/admin/subscriptions',
    operationId: 'listSubscriptions',
    summary: 'List subscriptions and their limits: the stored ones and the built-in ones no item overrides',
    tag: 'admin',
    auth: true,
    access: 'subscriptions:read',
    responses: { 200: v.object({ subscriptions: v.array(Subscription) }) },
    errors: [401, 403],
  },
  {
    method: 'put',
    path: '/admin/subscriptions/{subscription}',
    operationId: 'putSubscription',
    summary: 'Create or replace a subscription: every limit, each a whole number within its bounds',
    tag: 'admin',
    auth: true,
    access: 'subscriptions:write',
    body: PutSubscriptionBody,
    responses: { 200: v.object({ subscription: Subscription }) },
    errors: [400, 401, 403, 413],
  },
  {
    method: 'put',
    path: '/admin/users/{login}/subscription',
    operationId: 'assignSubscription',
    summary: "Set a user's subscription (404 naming body.subscription when it does not exist)",
    tag: 'admin',
    auth: true,
    access: 'subscriptions:write',
    body: AssignSubscriptionBody,
    responses: { 200: v.object({ user: v.string(), subscription: Subscription }) },
    errors: [400, 401, 403, 404, 413],
  },
  {
    method: 'get',
    path: '/me/limits',
    operationId: 'getMyLimits',
    summary: "The caller's subscription, its limits and current usage",
    tag: 'identity',
    auth: true,
    access: 'signed-in',
    responses: { 200: v.object({ user: v.string(), subscription: SubscriptionName, limits: Limits, usage: Usage }) },
    errors: [401],
  },
  {
    method: 'get',
    path: '/auth/github/login',
    operationId: 'beginGithubSignIn',
    summary: 'Start signing in with GitHub: redirects to GitHub with `state` and a PKCE challenge, kept in a signed, HttpOnly flow cookie',
    tag: 'identity',
    auth: false,
    access: 'public',
    responses: {},
    redirect: 'The GitHub authorization page.',
    errors: [404],
  },
  {
    method: 'get',
    path: '/auth/github/callback',
    operationId: 'completeGithubSignIn',
    summary:
      'Where GitHub sends the browser back: checks `state`, redeems the code with the PKCE verifier, sets the signed, HttpOnly session cookie',
    tag: 'identity',
    auth: false,
    access: 'public',
    query: OAuthCallbackQuery,
    responses: {},
    redirect: 'The dashboard (`/`), signed in.',
    errors: [400, 401, 403, 404],
  },
  {
    method: 'post',
    path: '/auth/logout',
    operationId: 'signOut',
    summary: 'Sign out: clears the session cookie',
    tag: 'identity',
    auth: false,
    access: 'public',
    responses: { 200: v.object({ signedOut: v.literal(true) }) },
    errors: [],
  },
  {
    method: 'get',
    path: '/me',
    operationId: 'getMe',
    summary: 'Who the caller is: login, roles, the permissions they grant, and how the caller signed in',
    tag: 'identity',
    auth: true,
    access: 'signed-in',
    responses: { 200: Me },
    errors: [401],
  },
  {
    method: 'get',
    path: '/me/tokens',
    operationId: 'listMyTokens',
    summary: "The caller's API tokens (records only)",
    tag: 'identity',
    auth: true,
    access: 'signed-in',
    responses: { 200: v.object({ tokens: v.array(ApiTokenRecord) }) },
    errors: [401, 409],
  },
  {
    method: 'post',
    path: '/me/tokens',
    operationId: 'issueMyToken',
    summary: 'Issue an API token for the caller (e.g. for the CLI after signing in with GitHub); the token is in this response only',
    tag: 'identity',
    auth: true,
    access: 'signed-in',
    body: IssueTokenBody,
    responses: { 201: IssuedToken },
    errors: [400, 401, 409, 413],
  },
  {
    method: 'delete',
    path: '/me/tokens/{token}',
    operationId: 'revokeMyToken',
    summary: "Revoke one of the caller's API tokens",
    tag: 'identity',
    auth: true,
    access: 'signed-in',
    responses: { 200: v.object({ revoked: v.string() }) },
    errors: [400, 401, 404, 409],
  },
  {
    method: 'get',
    path: '/admin/users',
    operationId: 'listUsers',
    summary: 'Every user with their roles and subscription',
    tag: 'admin',
    auth: true,
    access: 'users:read',
    responses: { 200: v.object({ users: v.array(User) }) },
    errors: [401, 403],
  },
  {
    method: 'post',
    path: '/admin/users',
    operationId: 'createUser',
    summary: 'Create a user (roles default to `user`; any other role also needs roles:write)',
    tag: 'admin',
    auth: true,
    access: 'users:write',
    body: CreateUserBody,
    responses: { 201: v.object({ user: User }) },
    errors: [400, 401, 403, 409, 413],
  },
  {
    method: 'get',
    path: '/admin/users/{login}',
    operationId: 'getUser',
    summary: 'One user and their API token records',
    tag: 'admin',
    auth: true,
    access: 'users:read',
    responses: { 200: v.object({ user: User, tokens: v.array(ApiTokenRecord) }) },
    errors: [400, 401, 403, 404],
  },
  {
    method: 'put',
    path: '/admin/users/{login}/roles',
    operationId: 'setUserRoles',
    summary: "Replace a user's roles",
    tag: 'admin',
    auth: true,
    access: 'roles:write',
    body: SetRolesBody,
    responses: { 200: v.object({ user: User }) },
    errors: [400, 401, 403, 404, 413],
  },
  {
    method: 'delete',
    path: '/admin/users/{login}',
    operationId: 'deleteUser',
    summary: 'Delete a user and revoke their tokens (409 while they own projects)',
    tag: 'admin',
    auth: true,
    access: 'users:write',
    responses: { 200: v.object({ deleted: v.string() }) },
    errors: [400, 401, 403, 404, 409],
  },
  {
    method: 'post',
    path: '/admin/users/{login}/tokens',
    operationId: 'issueUserToken',
    summary: 'Issue an API token for a user; the token is in this response only (only its hash is stored)',
    tag: 'admin',
    auth: true,
    access: 'users:write',
    body: IssueTokenBody,
    responses: { 201: IssuedToken },
    errors: [400, 401, 403, 404, 413],
  },
  {
    method: 'delete',
    path: '/admin/users/{login}/tokens/{token}',
    operationId: 'revokeUserToken',
    summary: "Revoke one of a user's API tokens",
    tag: 'admin',
    auth: true,
    access: 'users:write',
    responses: { 200: v.object({ revoked: v.string() }) },
    errors: [400, 401, 403, 404],
  },
  {
    method: 'post',
    path: '/webhooks/github',
    operationId: 'receiveGithubWebhook',
    summary:
      'A GitHub App webhook delivery: no bearer token, signed instead (X-Hub-Signature-256 over the raw body, 401 if missing or wrong); needs X-GitHub-Event and X-GitHub-Delivery (a UUID; a repeated one is ignored); body up to 1 MB',
    tag: 'webhooks',
    auth: false,
    access: 'public',
    body: GithubWebhookPayload,
    responses: {
      200: v.union([v.object({ pong: v.literal(true), zen: v.optional(v.string()) }), WebhookIgnored]),
      202: v.union([
        v.object({
          deliveries: v.array(PushDelivery),
          skipped: v.optional(v.array(v.object({ project: ProjectName, reason: v.string() }))),
        }),
        InstallationChange,
        WebhookIgnored,
      ]),
    },
    errors: [400, 401, 413],
  },
  {
    method: 'put',
    path: '/projects/{name}/repository',
    operationId: 'linkProjectRepository',
    summary:
      "Link a project to a GitHub repository (403 unless an App installation owned by the caller's login grants it); its pushes then deploy it",
    tag: 'github',
    auth: true,
    access: 'project:write',
    body: LinkRepositoryBody,
    responses: { 200: v.object({ project: Project }) },
    errors: [400, 401, 403, 404, 413],
  },
  {
    method: 'get',
    path: '/github/repositories',
    operationId: 'listLinkableRepositories',
    summary: 'Repositories the caller may link: those granted by GitHub App installations their login owns',
    tag: 'github',
    auth: true,
    access: 'signed-in',
    responses: { 200: v.object({ repositories: v.array(LinkableRepository) }) },
    errors: [401],
  },
  {
    method: 'post',
    path: '/projects/{name}/deployments/{id}/approve',
    operationId: 'approveDeployment',
    summary:
      "Approve a fork's preview built without secrets: deploys the same commit again with the project's secrets (once; 409 otherwise)",
    tag: 'github',
    auth: true,
    access: 'project:write',
    responses: { 202: v.object({ deployment: Deployment }) },
    errors: [400, 401, 404, 409, 413],
  },
];

// ---- building the document ----

const ERROR_RESPONSES: Record<ErrorStatus | 500, string> = {
  400: 'Bad input: the error names the field (`body.x`, `query.x`, `path.x`).',
  401: 'Missing or invalid bearer token.',
  403: 'The caller lacks the permission.',
  404: 'No such resource or route.',
  409: 'Conflicts with the current state.',
  413: 'The body exceeds the size limit.',
  429: 'A limit was reached: the error names it and its value.',
  500: 'Internal error.',
};

/** JSON Schema 2020-12 (OpenAPI 3.1's dialect), without the `$schema` marker on each fragment. */
export function jsonSchemaOf(schema: v.GenericSchema): JsonSchema {
  const { $schema: _s, ...rest } = toJsonSchema(schema, { target: 'draft-2020-12', errorMode: 'throw' });
  return rest;
}

/** `{name}` parameters of an OpenAPI path, in order. */
export function pathParameterNames(path: string): string[] {
  return [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] as string);
}

function parameters(route: RouteSpec): unknown[] {
  const result: unknown[] = pathParameterNames(route.path).map((name) => {
    const parameter = PATH_PARAMETERS[name];
    if (!parameter) throw new Error(`openapi: path parameter {${name}} of ${route.path} is not in PATH_PARAMETERS`);
    return { name, in: 'path', required: true, description: parameter.description, schema: jsonSchemaOf(parameter.schema) };
  });
  for (const header of route.headers ?? []) {
    result.push({ name: header.name, in: 'header', required: false, description: header.description, schema: jsonSchemaOf(header.schema) });
  }
  if (route.query) {
    const query = jsonSchemaOf(route.query);
    if (query.type !== 'object' || !query.properties)
      throw new Error(`openapi: the query schema of ${route.operationId} is not an object schema`);
    const required = new Set(Array.isArray(query.required) ? query.required : []);
    for (const [name, schema] of Object.entries(query.properties)) {
      result.push({ name, in: 'query', required: required.has(name), schema });
    }
  }
  return result;
}

function operation(route: RouteSpec): Record<string, unknown> {
  const responses: Record<string, unknown> = {};
  for (const [status, schema] of Object.entries(route.responses)) {
    responses[status] = {
      description: 'Success.',
      content: { [route.contentType ?? 'application/json']: { schema: jsonSchemaOf(schema as v.GenericSchema) } },
    };
  }
  if (route.redirect) {
    responses['302'] = { description: route.redirect, headers: { Location: { description: route.redirect, schema: { type: 'string' } } } };
  }
  const errors = new Set<ErrorStatus | 500>([...route.errors, 500]);
  // Every authenticated route sits behind the token check and the API's body limit.
  if (route.auth) {
    errors.add(401);
    errors.add(413);
  }
  // Who may call it decides two more: a missing permission is a 403, a project the caller may not read a 404.
  if (route.access !== 'public' && route.access !== 'signed-in') errors.add(403);
  if (route.access === 'project:read' || route.access === 'project:write') errors.add(404);
  for (const status of [...errors].sort()) responses[String(status)] = { $ref: `#/components/responses/Error${status}` };
  const parameterList = parameters(route);
  return {
    operationId: route.operationId,
    summary: route.summary,
    tags: [route.tag],
    'x-slipway-access': route.access,
    ...(route.auth ? {} : { security: [] }),
    ...(parameterList.length ? { parameters: parameterList } : {}),
    ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchemaOf(route.body) } } } } : {}),
    responses,
  };
}

export function buildOpenApiDocument(routes: readonly RouteSpec[] = ROUTES): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const ids = new Set<string>();
  for (const route of routes) {
    if (ids.has(route.operationId)) throw new Error(`openapi: operationId ${route.operationId} is used twice`);
    ids.add(route.operationId);
    const item = (paths[route.path] ??= {});
    if (item[route.method]) throw new Error(`openapi: ${route.method.toUpperCase()} ${route.path} is listed twice`);
    item[route.method] = operation(route);
  }
  const errorResponses = Object.fromEntries(
    Object.entries(ERROR_RESPONSES).map(([status, description]) => [
      `Error${status}`,
      { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
    ]),
  );
  return {
    openapi: '3.1.0',
    info: {
      title: 'Slipway API',
      version: '1',
      description:
        'The Slipway control plane: it reads state and starts pipeline executions. Every error is `{ "error": { "code", "message", "field"? } }`.',
    },
    servers: [{ url: API_BASE }],
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description:
            'The admin token or an API token (`slw_…`); a browser may instead send the session cookie set by the GitHub sign-in.',
        },
      },
      schemas: { Error: jsonSchemaOf(ErrorBody) },
      responses: errorResponses,
    },
  };
}

let cached: Record<string, unknown> | undefined;

/** The document the API serves at GET /api/v1/openapi.json (built once). */
export function openApiDocument(): Record<string, unknown> {
  return (cached ??= buildOpenApiDocument());
}
