import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { privateFilesSecretSource, type PrivateFilesConfig } from '../../../handlers/lib/bindings/secret-source/private-files.js';
import {
  GITHUB_COM,
  type ExecutionStarter,
  type GitHubUrls,
  type Platform,
  type PlatformNames,
  type RouteCache,
  type TxtResolver,
} from '../../../handlers/lib/bindings/types.js';
import { dnsTxtResolver } from '../../../handlers/lib/bindings/txt-resolver/dns.js';
import { noCertificates } from '../../../handlers/lib/bindings/custom-domain-certificates/none.js';
import { stateMachineArn, stateMachineArnsByOperation } from '../engine/local-step-functions.js';
import { LOCAL_REGION } from '../engine/synthesized-workflows.js';
import type { LocalStorage } from '../storage/local-storage.js';

/** What a local platform is made of; everything else has one local value. */
export interface LocalPlatformParts {
  storage: LocalStorage;
  names: PlatformNames;
  /** The local Step Functions API (`localExecutionStarter`). */
  executions: ExecutionStarter;
  /** Where each secret's 0600 file is (read at each read, so a test may point a secret elsewhere). */
  secretFiles: PrivateFilesConfig;
  routeCache: RouteCache;
  routeCacheProjects?: number;
  /** DNS TXT lookups of domain proofs; the system's resolvers through node:dns unless given (tests). */
  txtResolver?: TxtResolver;
  tenantUrlTemplate?: string;
  publicUrl?: string;
  github?: Partial<GitHubUrls>;
}

/** The local servers' SDK configuration: their endpoint and the platform's own keys, given explicitly. */
function localClientConfig(storage: LocalStorage, endpoint: string) {
  return { endpoint, region: LOCAL_REGION, credentials: storage.issuer.platform };
}

/** An S3 client of the local object store (path-style: s3rver has no per-bucket host names). */
export function localS3Client(storage: LocalStorage): S3Client {
  return new S3Client({ ...localClientConfig(storage, storage.s3Endpoint), forcePathStyle: true });
}

/** A DynamoDB client of the local table server. */
export function localDynamoClient(storage: LocalStorage): DynamoDBClient {
  return new DynamoDBClient(localClientConfig(storage, storage.dynamoEndpoint));
}

/** The local engine's Step Functions API behind its SigV4 gate at `sfnEndpoint`, with the local state machines. */
export function localExecutionStarter(storage: LocalStorage, sfnEndpoint: string): ExecutionStarter {
  return {
    client: new SFNClient(localClientConfig(storage, sfnEndpoint)),
    stateMachines: stateMachineArnsByOperation(),
    templateRollout: stateMachineArn('slipway-template-rollout'),
  };
}

const withoutSlash = (url: string) => url.replace(/\/+$/, '');

/** One local platform's bindings: the SDK pointed at its servers, its secret files, its route cache. */
export function localPlatform(parts: LocalPlatformParts): Platform {
  return {
    names: parts.names,
    objectStore: localS3Client(parts.storage),
    table: DynamoDBDocumentClient.from(localDynamoClient(parts.storage), { marshallOptions: { removeUndefinedValues: true } }),
    executions: parts.executions,
    secrets: privateFilesSecretSource(parts.secretFiles),
    routeCache: parts.routeCache,
    txtResolver: parts.txtResolver ?? dnsTxtResolver(),
    // Locally the edge serves plain HTTP: a custom domain needs no certificate.
    customDomainCertificates: noCertificates,
    ...(parts.routeCacheProjects ? { routeCacheProjects: parts.routeCacheProjects } : {}),
    ...(parts.tenantUrlTemplate ? { tenantUrlTemplate: parts.tenantUrlTemplate } : {}),
    ...(parts.publicUrl ? { publicUrl: parts.publicUrl } : {}),
    github: {
      apiUrl: withoutSlash(parts.github?.apiUrl ?? GITHUB_COM.apiUrl),
      webUrl: withoutSlash(parts.github?.webUrl ?? GITHUB_COM.webUrl),
    },
  };
}
