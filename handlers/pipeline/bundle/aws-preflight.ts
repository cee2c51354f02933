import * as v from 'valibot';
import { invalidSetting, parseSetting } from '../../lib/setting.js';
import { routeEntriesFor } from '../../lib/route-cache-keys.js';
import type { ValidatedBundle } from './validate-bundle.js';

/**
 * The limits of the AWS services a deployment lands in, checked before anything is promoted, on
 * both back ends: a bundle the local platform serves but AWS would refuse fails here, naming the
 * limit and the measured size, instead of half-way through a release on AWS.
 */
export const AWS_LIMITS = {
  /** Lambda: a function's deployment package, unzipped (Lambda quotas: 250 MB). */
  lambdaUnzippedBytes: 262_144_000,
  /** CloudFront KeyValueStore: key size, value size, and the whole store (CloudFront quotas). */
  kvsKeyChars: 512,
  kvsValueChars: 1024,
  kvsTotalBytes: 5 * 1024 * 1024,
  /** CloudFront compresses objects between 1,000 and 10,000,000 bytes; larger ones go out as they are. */
  cloudFrontCompressMaxBytes: 10_000_000,
} as const;

/**
 * The route cache's budget. One KeyValueStore holds every project's entries, so the platform is
 * sized for a number of projects, the operator's `routeCacheProjects` setting (default
 * DEFAULT_ROUTE_CACHE_PROJECTS), each with an equal share: its pointers and custom-domain entries
 * (ROUTE_CACHE_POINTER_RESERVE_BYTES), then equal parts for its live deployment, each of its last
 * ROUTE_CACHE_ROLLBACK_TARGETS production deployments, and its previews together (Release removes
 * the rest and retires the oldest previews beyond their part:
 * handlers/pipeline/route-cache-lifecycle.ts). One deployment may take one part.
 * docs/ARCHITECTURE.md ("Route cache") says why these numbers.
 */
export const DEFAULT_ROUTE_CACHE_PROJECTS = 200;
export const ROUTE_CACHE_ROLLBACK_TARGETS = 1;
/** The parts of a project's share: live, rollback targets, previews. */
export const ROUTE_CACHE_PARTS_PER_PROJECT = 1 + ROUTE_CACHE_ROLLBACK_TARGETS + 1;
/** Its live and preview pointers (under 150 bytes each) and a few `d:{host}` entries. */
export const ROUTE_CACHE_POINTER_RESERVE_BYTES = 1024;
/**
 * The most projects the store can be shared among: beyond, a project's share would leave its
 * deployments under 1 KB each (about a dozen routes), too little for any app.
 */
export const MAX_ROUTE_CACHE_PROJECTS = Math.floor(
  AWS_LIMITS.kvsTotalBytes / (ROUTE_CACHE_POINTER_RESERVE_BYTES + ROUTE_CACHE_PARTS_PER_PROJECT * 1024),
);

const RouteCacheProjects = v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(MAX_ROUTE_CACHE_PROJECTS));
const RouteCacheProjectsSetting = v.pipe(v.string(), v.regex(/^\d+$/, 'must be a whole number'), v.transform(Number), RouteCacheProjects);

const ROUTE_CACHE_PROJECTS_MUST_BE = `must be a whole number from 1 to ${MAX_ROUTE_CACHE_PROJECTS}`;

/** How the store is split for a given number of projects. */
export interface RouteCacheBudget {
  /** How many projects the store is shared among (the `routeCacheProjects` setting). */
  projects: number;
  /** One project's share: pointers, domains and its parts. */
  projectShareBytes: number;
  /** What one deployment's entries may take (Validate output). */
  deploymentBytes: number;
  /** What all of a project's previews' entries may take together (Release). */
  previewBytes: number;
}

/** The split for `projects` (a setting out of bounds, from a caller that skipped parsing it, throws naming it). */
export function routeCacheBudget(projects: number = DEFAULT_ROUTE_CACHE_PROJECTS): RouteCacheBudget {
  if (!v.is(RouteCacheProjects, projects)) throw invalidSetting('routeCacheProjects', ROUTE_CACHE_PROJECTS_MUST_BE, projects);
  const projectShareBytes = Math.floor(AWS_LIMITS.kvsTotalBytes / projects);
  const deploymentBytes = Math.floor((projectShareBytes - ROUTE_CACHE_POINTER_RESERVE_BYTES) / ROUTE_CACHE_PARTS_PER_PROJECT);
  return { projects, projectShareBytes, deploymentBytes, previewBytes: deploymentBytes };
}

/** What the refusal tells the operator: a platform for fewer projects gives each deployment more. */
const ROUTE_CACHE_PROJECTS_HINT =
  'The platform setting routeCacheProjects sizes the store for that many projects; fewer projects give each deployment more (AWS: `cdk deploy -c routeCacheProjects=N`; local: `slipway up --route-cache-projects N`)';

/**
 * The `routeCacheProjects` setting from its text (unset or empty: undefined, the default applies);
 * a bad value throws naming `field` and the bounds.
 */
export function parseRouteCacheProjects(value: string | undefined, field: string): number | undefined {
  return parseSetting(RouteCacheProjectsSetting, value, field, ROUTE_CACHE_PROJECTS_MUST_BE);
}

/** What a set of route-cache entries takes in the store: the UTF-8 bytes of every key and value. */
export function routeCacheBytes(entries: Record<string, string>): number {
  let bytes = 0;
  for (const [key, value] of Object.entries(entries)) bytes += Buffer.byteLength(key) + Buffer.byteLength(value);
  return bytes;
}

/** A bundle AWS would refuse; the deployment fails before anything of it is promoted. */
export class AwsLimitError extends Error {
  override name = 'LimitExceeded';
}

const COMPRESSIBLE = /\.(html?|css|js|mjs|json|svg|txt|xml|map|wasm)$/i;

/**
 * Throws for what would break on AWS; returns warnings for what would only degrade there.
 * `deploymentId` is the id the route keys will carry (its length counts towards each key);
 * `budget` is the route cache's split under the platform's `routeCacheProjects` setting.
 */
export function checkAwsLimits(bundle: ValidatedBundle, deploymentId: string, budget: RouteCacheBudget): string[] {
  // The server function's size is checked while the archive is read (BundleLimits.maxServerBytes).
  // Each entry fits the store's key (512) and value (1024) limits by construction: the manifest
  // schema caps route paths and file names at 400 characters.
  const entries = routeEntriesFor(deploymentId, bundle.manifest);
  const routeBytes = routeCacheBytes(entries);
  if (routeBytes > budget.deploymentBytes) {
    throw new AwsLimitError(
      `the deployment's ${Object.keys(entries).length} route cache entries take ${routeBytes} bytes, over a deployment's share of the KeyValueStore, ${budget.deploymentBytes} bytes (the project's share, ${budget.projectShareBytes} bytes = ${AWS_LIMITS.kvsTotalBytes} / ${budget.projects} projects, less ${ROUTE_CACHE_POINTER_RESERVE_BYTES} for pointers and domains, split in ${ROUTE_CACHE_PARTS_PER_PROJECT} parts: the live deployment, ${ROUTE_CACHE_ROLLBACK_TARGETS} rollback target, the previews). ${ROUTE_CACHE_PROJECTS_HINT}`,
    );
  }
  const warnings: string[] = [];
  for (const [path, size] of bundle.fileSizes) {
    if (size > AWS_LIMITS.cloudFrontCompressMaxBytes && COMPRESSIBLE.test(path) && !path.startsWith('server/')) {
      warnings.push(
        `${path} is ${size} bytes: CloudFront compresses files up to ${AWS_LIMITS.cloudFrontCompressMaxBytes} bytes, so it is served uncompressed`,
      );
    }
  }
  return warnings;
}
