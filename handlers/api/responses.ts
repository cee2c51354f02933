import * as v from 'valibot';
import type { ErrorCode } from './errors.js';
import { ROLES, PERMISSIONS } from './identity/roles.js';
import { DeploymentId, EXECUTION_STATUSES, ProjectName, WORKFLOWS } from './schemas.js';
import { Limits } from '../lib/limits.js';
import { SubscriptionName } from './subscriptions/store.js';
import { ProjectFields } from '../lib/table/projects.js';
import { DeploymentFields } from '../lib/table/deployments.js';
import { StoredAuditEntry } from '../lib/table/audit.js';
import { StoredApiToken } from '../lib/table/api-tokens.js';
import { ENV_TARGETS, NODE_VERSIONS } from '../lib/project-settings/schemas.js';
import { CERTIFICATE_STATUSES } from '../lib/bindings/types.js';

/** The bodies the API answers with, as the OpenAPI document describes them (objects stay open so fields can be added). */
export const ERROR_CODES = [
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

/** A project as the API shows it: the stored fields (handlers/lib/table/projects.ts) and its URL. */
export const Project = v.object({
  ...ProjectFields,
  /** The tenant URL, when the back end has a tenant domain. */
  url: v.optional(v.string()),
});

/** A project in the list: with what its live deployment was made from, read in one batch with the list. */
export const ProjectListItem = v.object({
  ...Project.entries,
  live: v.optional(
    v.object({
      id: DeploymentId,
      /** `github` when built from a pushed commit or pull request, `upload` when the CLI sent the source. */
      source: v.picklist(['upload', 'github']),
      /** The commit: GitHub's, or the one the CLI reported for an upload. */
      commit: v.optional(v.string()),
      repository: v.optional(v.string()),
      createdBy: v.string(),
    }),
  ),
});

export const Source = DeploymentFields.source;

/** A deployment as the API shows it: the stored fields (handlers/lib/table/deployments.ts) and where it stands. */
export const Deployment = v.object({
  ...DeploymentFields,
  /** Whether this deployment is the live one (lists and detail only). */
  current: v.optional(v.boolean()),
  /** Where it answers: the preview's host, or the project's host for the live deployment. */
  url: v.optional(v.string()),
});

/**
 * The build log as server-sent events: `event: log` (data: the chunk's text, id: the chunk key),
 * a `: heartbeat` comment every 15 s while idle, then one `event: end` whose data is the JSON
 * `{ "status", "failedState"?, "error"? }`. A stream that fails sends `event: error` (data: the message).
 */
export const LogEventStream = v.pipe(
  v.string(),
  v.description(
    'text/event-stream: `event: log` messages (data: a log chunk, id: its key; send it back as Last-Event-ID to resume after it), then `event: end` with data `{"status","failedState"?,"error"?}` once the deployment is terminal or its execution stopped. On AWS a stream ends before the time limit of the Lambda serving it, or after 3 MB, with `event: reconnect` instead: open it again with Last-Event-ID.',
  ),
);

export const ExecutionEventStream = v.pipe(
  v.string(),
  v.description(
    'text/event-stream: `event: execution` with data exactly what GET …/execution answers (`{"execution","stateMachine"?}`), sent at once and again whenever the view changes; then `event: end` with data `{"status"}` once the execution no longer runs. On AWS a stream ends before the time limit of the Lambda serving it with `event: reconnect` instead: open it again for the current view.',
  ),
);

export const LastEventId = v.pipe(
  v.string(),
  v.maxLength(300),
  v.regex(/^builds\/d-[a-z0-9-]{4,40}\/log\//, "must be an event id of this deployment's log"),
);

export const ExecutionStatus = v.picklist(EXECUTION_STATUSES);

export const ExecutionListItem = v.object({
  executionArn: v.string(),
  stateMachineArn: v.string(),
  /** Which of the platform's workflows ran. */
  workflow: v.picklist(WORKFLOWS),
  name: v.string(),
  status: ExecutionStatus,
  startDate: v.string(),
  stopDate: v.optional(v.string()),
  /** The project and, for a build-and-deploy, the deployment, as the execution's name tells them. */
  project: v.optional(ProjectName),
  deploymentId: v.optional(DeploymentId),
});

/** Allow-listed fields of an execution's input or output (handlers/api/execution-view.ts): never the ticket or anything else. */
export const ExecutionData = v.strictObject({
  project: v.optional(v.string()),
  deploymentId: v.optional(v.string()),
  preview: v.optional(v.string()),
  sourceKey: v.optional(v.string()),
  github: v.optional(v.strictObject({ repository: v.optional(v.string()), commit: v.optional(v.string()) })),
  withholdSecrets: v.optional(v.literal(true)),
});

export const ExecutionState = v.strictObject({
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

export const StateMachineGraph = v.strictObject({
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

export const ExecutionView = v.strictObject({
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
export const GithubWebhookPayload = v.record(v.string(), v.unknown());
export const WebhookIgnored = v.object({ ignored: v.string() });
export const PushDelivery = v.object({
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
export const InstallationChange = v.object({ installation: v.number(), action: v.string() });
export const LinkableRepository = v.object({ repository: v.string(), installationId: v.number() });

/** An audit entry as stored (handlers/lib/table/audit.ts). */
export const AuditEntry = StoredAuditEntry;

export const User = v.object({
  login: v.string(),
  roles: v.array(v.picklist(ROLES)),
  createdAt: v.string(),
  createdBy: v.string(),
  subscription: v.optional(v.string()),
  githubId: v.optional(v.number()),
  lastSignInAt: v.optional(v.string()),
});

/** An API token's record (handlers/lib/table/api-tokens.ts): never the token itself, which is shown once, when issued. */
export const ApiTokenRecord = StoredApiToken;
export const IssuedToken = v.object({
  token: v.pipe(v.string(), v.description('`slw_<id>_<secret>`: shown only in this response.')),
  record: ApiTokenRecord,
});

export const Me = v.object({
  user: v.string(),
  roles: v.array(v.picklist(ROLES)),
  permissions: v.array(v.picklist(PERMISSIONS)),
  via: v.picklist(['admin-token', 'api-token', 'session']),
});

export const Subscription = v.object({
  name: SubscriptionName,
  limits: Limits,
  /** `built-in` (defined in code) until an admin stores it. */
  origin: v.picklist(['built-in', 'stored']),
  updatedAt: v.optional(v.string()),
  updatedBy: v.optional(v.string()),
});

export const Usage = v.object({
  projects: v.number(),
  buildsToday: v.number(),
  deploymentsToday: v.number(),
  concurrentBuilds: v.number(),
});

export const Settings = v.object({
  buildCommand: v.optional(v.string()),
  installCommand: v.optional(v.string()),
  rootDirectory: v.optional(v.string()),
  nodeVersion: v.optional(v.picklist(NODE_VERSIONS)),
});
export const SettingsResponse = v.object({ project: ProjectName, settings: Settings });

/** A variable as listed: `value` only for plain ones, never for a secret. */
export const EnvVariable = v.object({
  key: v.string(),
  target: v.picklist(ENV_TARGETS),
  secret: v.boolean(),
  value: v.optional(v.string()),
  updatedAt: v.string(),
  updatedBy: v.string(),
});

/** A custom domain; `verification` is the TXT record that proves its owner. */
export const Domain = v.object({
  domain: v.string(),
  project: ProjectName,
  status: v.picklist(['PENDING', 'VERIFIED']),
  verification: v.object({ type: v.literal('TXT'), name: v.string(), value: v.string() }),
  createdAt: v.string(),
  createdBy: v.string(),
  verifiedAt: v.optional(v.string()),
  certificate: v.pipe(
    v.picklist([...CERTIFICATE_STATUSES, 'unknown']),
    v.description(
      "The domain's HTTPS certificate. On AWS CloudFront's state of its managed certificate (pending-validation until the domain's CNAME points at the platform's custom-domain target and CloudFront validated it, then issued); `none`: no certificate, because the domain is PENDING, or on AWS the next release has not created it yet, or the platform needs none (locally the edge serves plain HTTP); `unknown`: the state could not be read just now.",
    ),
  ),
});

/** A project's domains, and where their CNAME records point on a platform that names it. */
export const DomainList = v.object({
  project: ProjectName,
  domains: v.array(Domain),
  target: v.optional(
    v.pipe(
      v.string(),
      v.description(
        "The host a VERIFIED domain's CNAME record points at, so CloudFront can validate its certificate and serve it (on AWS the custom-domain connection group's routing endpoint, the stack output CustomDomainTarget); absent locally.",
      ),
    ),
  ),
});

/** What a verification found: the domain after it, and why it is still PENDING when it is. */
export const DomainVerification = v.object({ project: ProjectName, domain: Domain, problem: v.optional(v.string()) });

export const OpenApiBody = v.object({
  openapi: v.string(),
  info: v.object({ title: v.string(), version: v.string() }),
  paths: v.record(v.string(), v.unknown()),
});
