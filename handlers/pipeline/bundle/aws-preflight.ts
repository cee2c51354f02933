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
 * sized for ROUTE_CACHE_PROJECTS projects, each with an equal share: its pointers and
 * custom-domain entries (ROUTE_CACHE_POINTER_RESERVE_BYTES), then equal parts for its live
 * deployment, each of its last ROUTE_CACHE_ROLLBACK_TARGETS production deployments, and its
 * previews together (Release removes the rest and retires the oldest previews beyond their part:
 * handlers/pipeline/route-cache-lifecycle.ts). One deployment may take one part.
 * docs/ARCHITECTURE.md ("Route cache") says why these numbers.
 */
export const ROUTE_CACHE_PROJECTS = 200;
export const ROUTE_CACHE_ROLLBACK_TARGETS = 1;
/** The parts of a project's share: live, rollback targets, previews. */
export const ROUTE_CACHE_PARTS_PER_PROJECT = 1 + ROUTE_CACHE_ROLLBACK_TARGETS + 1;
/** Its live and preview pointers (under 150 bytes each) and a few `d:{host}` entries. */
export const ROUTE_CACHE_POINTER_RESERVE_BYTES = 1024;
export const ROUTE_CACHE_PROJECT_SHARE_BYTES = Math.floor(AWS_LIMITS.kvsTotalBytes / ROUTE_CACHE_PROJECTS);
export const ROUTE_CACHE_SHARE_BYTES = Math.floor(
  (ROUTE_CACHE_PROJECT_SHARE_BYTES - ROUTE_CACHE_POINTER_RESERVE_BYTES) / ROUTE_CACHE_PARTS_PER_PROJECT,
);
/** What all of a project's previews' entries may take together. */
export const ROUTE_CACHE_PREVIEW_BYTES = ROUTE_CACHE_SHARE_BYTES;

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
 * `deploymentId` is the id the route keys will carry (its length counts towards each key).
 */
export function checkAwsLimits(bundle: ValidatedBundle, deploymentId: string): string[] {
  // The server function's size is checked while the archive is read (BundleLimits.maxServerBytes).
  // Each entry fits the store's key (512) and value (1024) limits by construction: the manifest
  // schema caps route paths and file names at 400 characters.
  const entries = routeEntriesFor(deploymentId, bundle.manifest);
  const routeBytes = routeCacheBytes(entries);
  if (routeBytes > ROUTE_CACHE_SHARE_BYTES) {
    throw new AwsLimitError(
      `the deployment's ${Object.keys(entries).length} route cache entries take ${routeBytes} bytes, over a deployment's share of the KeyValueStore, ${ROUTE_CACHE_SHARE_BYTES} bytes (the project's share, ${ROUTE_CACHE_PROJECT_SHARE_BYTES} bytes = ${AWS_LIMITS.kvsTotalBytes} / ${ROUTE_CACHE_PROJECTS} projects, less ${ROUTE_CACHE_POINTER_RESERVE_BYTES} for pointers and domains, split in ${ROUTE_CACHE_PARTS_PER_PROJECT} parts: the live deployment, ${ROUTE_CACHE_ROLLBACK_TARGETS} rollback target, the previews)`,
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
