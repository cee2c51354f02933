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
 * The part of the one KeyValueStore a deployment's route entries may take. Every project's live,
 * rollback and preview deployments share the store's 5 MB, so one deployment gets a fifth of it.
 */
export const ROUTE_CACHE_SHARE_BYTES = Math.floor(AWS_LIMITS.kvsTotalBytes / 5);

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
  let routeBytes = 0;
  for (const [key, value] of Object.entries(entries)) {
    routeBytes += Buffer.byteLength(key) + Buffer.byteLength(value);
  }
  if (routeBytes > ROUTE_CACHE_SHARE_BYTES) {
    throw new AwsLimitError(
      `the deployment's ${Object.keys(entries).length} route cache entries take ${routeBytes} bytes, over a deployment's share of the KeyValueStore, ${ROUTE_CACHE_SHARE_BYTES} bytes (a fifth of its ${AWS_LIMITS.kvsTotalBytes})`,
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
