import type { UpdateStackCommandInput } from '@aws-sdk/client-cloudformation';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Operation } from '../ticket.js';

/**
 * The bindings: what handlers need from where they run, one small interface each. Each has one
 * implementation per back end beside this file; `infra/aws` and `infra/local` choose and bind
 * them, so handlers never ask which back end they run on (docs/ARCHITECTURE.md, "Bindings").
 */

/**
 * The platform's named secrets. The GitHub App id and OAuth client id are not secret, but on AWS
 * they travel inside the GitHub App's JSON secret, so they are read the same way.
 */
export type SecretName =
  | 'ticket-key'
  | 'env-key'
  | 'session-key'
  | 'admin-token'
  | 'github-app-id'
  | 'github-app-private-key'
  | 'github-webhook-secret'
  | 'github-oauth-client-id'
  | 'github-oauth-client-secret';

/**
 * Where the platform's secrets come from. `read` returns the stored text as stored (callers trim
 * or decode) and reads it again on every call: callers cache. A secret this platform has no
 * configuration for is a `SecretNotConfigured`, so each caller can say what is missing.
 */
export interface SecretSource {
  read(name: SecretName): Promise<string>;
}

/** The platform was started without any configuration for this secret. */
export class SecretNotConfigured extends Error {
  constructor(readonly secret: SecretName) {
    super(`the platform has no configuration for the secret ${secret}`);
    this.name = 'SecretNotConfigured';
  }
}

/**
 * The prerendered-route cache: the key/value store the viewer-request function reads (keys are
 * described in docs/ARCHITECTURE.md).
 */
export interface RouteCache {
  get(key: string): Promise<string | undefined>;
  putMany(entries: Record<string, string>): Promise<void>;
  deleteMany(keys: string[]): Promise<void>;
}

/**
 * Changes a tenant's project stack: CloudFormation's UpdateStack, with its request and its errors
 * (a ValidationError "No updates are to be performed.", a stack "in … state and can not be
 * updated"). On AWS the CloudFormation API; locally the engine's CloudFormation stand-in
 * (infra/local/cloudformation.ts), the same one the workflows' own stack calls reach.
 */
export interface ProjectStacks {
  update(request: UpdateStackCommandInput): Promise<void>;
}

/**
 * DNS TXT lookups: a custom domain routes only once its owner published the challenge record.
 * Both back ends resolve through node:dns (txt-resolver/dns.ts); tests bind their own answers.
 */
export interface TxtResolver {
  /** Each TXT record at `name`, its strings joined; [] when the name has none (NXDOMAIN, no TXT). */
  resolveTxt(name: string): Promise<string[]>;
}

/**
 * What CloudFront reports of a custom domain's certificate (GetManagedCertificateDetails'
 * CertificateStatus), or `none` when the domain has no certificate (nothing created yet, or a
 * platform that needs none).
 */
export const CERTIFICATE_STATUSES = [
  'none',
  'pending-validation',
  'issued',
  'inactive',
  'expired',
  'validation-timed-out',
  'revoked',
  'failed',
] as const;

export type CertificateStatus = (typeof CERTIFICATE_STATUSES)[number];

/**
 * A certificate per custom domain, so the domain is served over HTTPS under its own name. On AWS a
 * CloudFront distribution tenant with a CloudFront-managed certificate per VERIFIED domain
 * (custom-domain-certificates/cloudfront-tenants.ts); locally nothing: `*.localhost` and a custom
 * domain reaching the local edge need no certificate (custom-domain-certificates/none.ts).
 * Both calls are idempotent: *Release* repeats them for every verified domain at each release.
 */
export interface CustomDomainCertificates {
  /** Serves `domain` with its own certificate; one that exists already (or is being removed) is kept and enabled. */
  add(domain: string): Promise<void>;
  /**
   * Stops serving `domain` and deletes what `add` made. `removed` once nothing is left (or nothing
   * was there); `disabling` when what is left is disabled but not deletable yet (a later `remove` deletes it).
   */
  remove(domain: string): Promise<'removed' | 'disabling'>;
  /** The certificate's state as CloudFront reports it; `none` when there is none. */
  status(domain: string): Promise<CertificateStatus>;
}

/** Names of the platform's storage (both back ends use the same names; AWS reads them from CDK). */
export interface PlatformNames {
  sourceBucket: string;
  buildBucket: string;
  projectBucket: string;
  table: string;
}

/** Starts and reads the platform's workflows: the Step Functions API and each workflow's state machine. */
export interface ExecutionStarter {
  client: SFNClient;
  stateMachines: Record<Operation, string>;
  /** The template rollout's state machine, which operators start (POST /admin/template-rollout); absent where none was given. */
  templateRollout?: string;
}

/** Where GitHub is: github.com, a GitHub Enterprise, or a test server. */
export interface GitHubUrls {
  /** The REST API, without a trailing slash. */
  apiUrl: string;
  /** The web host sign-in redirects to, without a trailing slash. */
  webUrl: string;
}

/**
 * One running platform as its handlers see it: every binding and setting they read. The AWS entry
 * points build it once from the Lambda's environment (infra/aws/runtime); locally `startPlatform`
 * builds one per platform from its options, so one process can hold several (infra/local).
 */
export interface Platform {
  names: PlatformNames;
  /** The stage the platform's names carry (handlers/lib/stage.ts); unset, the default stage `prod`. */
  stage?: string;
  /** The platform's build cap in seconds (AWS context buildTimeoutSeconds): a subscription's longer build limit is cut to it; unset, none. */
  buildTimeoutCap?: number;
  /** The object store (S3, or s3rver behind its SigV4 gate). */
  objectStore: S3Client;
  /** The platform table (DynamoDB, or dynalite behind its SigV4 gate). */
  table: DynamoDBDocumentClient;
  executions: ExecutionStarter;
  secrets: SecretSource;
  routeCache: RouteCache;
  /** Updates project stacks (the pipeline's *Update project stack* alone); locally the engine binds it for its tasks. */
  projectStacks?: ProjectStacks;
  /** Certificates of verified custom domains: created and removed by *Release* and *Delete project data*. */
  customDomainCertificates: CustomDomainCertificates;
  /** DNS TXT lookups that prove a custom domain's owner (handlers/lib/project-settings/domain-proof.ts). */
  txtResolver: TxtResolver;
  /** A project's public URL with `{project}` in it; absent when no tenant domain is configured. */
  tenantUrlTemplate?: string;
  /** The host a verified custom domain's CNAME points at (on AWS the connection group's routing endpoint); absent locally. */
  customDomainTarget?: string;
  /** The platform's own public URL when a proxy changes the host (OAuth callbacks are built from it). */
  publicUrl?: string;
  github: GitHubUrls;
  /** The header value only CloudFront sends: the AWS router refuses requests without it. */
  originSecret?: string;
  /**
   * Which X-Forwarded-For hop the router gives tenants as the visitor's address: 1 (unset) is the
   * address CloudFront saw; N when N-1 trusted proxies stand in front of CloudFront (router/client-address.ts).
   */
  clientAddressDepth?: number;
  /**
   * How many projects the route cache (one KeyValueStore) is shared among: each deployment's and
   * each project's previews' part of it follow (handlers/pipeline/bundle/aws-preflight.ts); unset, 200.
   */
  routeCacheProjects?: number;
}

export const GITHUB_COM: GitHubUrls = { apiUrl: 'https://api.github.com', webUrl: 'https://github.com' };
