import { createHash } from 'node:crypto';
import { PutObjectCommand, type PutObjectCommandInput } from '@aws-sdk/client-s3';
import * as v from 'valibot';
import { s3Client } from '../lib/clients.js';
import { platformNames } from '../lib/config.js';
import { contentTypeFor } from '../lib/content-type.js';
import { eachLimited, getObjectBuffer } from '../lib/s3-objects.js';
import { zipFiles } from '../lib/zip.js';
import { readBundle } from './bundle/read-bundle.js';
import { bundleKey } from './validate-output.js';
import { deploymentPrefix, openState, requireDeploymentId } from './state.js';
import { instrumented } from '../lib/observability.js';
import { carryImmutableFiles } from './carry-immutable.js';

const Validated = v.object({ output: v.object({ sha256: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/)) }) });

/**
 * Browser and CDN caching of a deployment file (the CDN's page policy caches only what the origin
 * allows): content-hashed assets forever; everything else revalidated by browsers and kept a
 * minute at the edge. A release is visible at once either way: the functions rewrite to the new
 * deployment's prefix, a different cache key.
 */
export function cacheControlFor(path: string): string {
  return path.startsWith('client/_app/immutable/') ? 'public, max-age=31536000, immutable' : 'public, max-age=0, s-maxage=60';
}

/** Object puts in flight at once while promoting (S3 takes thousands per second per prefix). */
export const PROMOTE_CONCURRENCY = 16;

/** The tenant function's code package, beside the deployment's files (the project stack reads it). */
export const FUNCTION_ZIP = 'function.zip';

/**
 * Copies the validated bundle into the project bucket under the deployment's own prefix, plus
 * `function.zip`: the bundle's `server/` files at the same paths (so `server/handler.handler` is
 * the function's Handler), which the per-project CloudFormation stack deploys on AWS. The local
 * function host reads `server/` directly and ignores the zip.
 * Nothing live points there yet, so a failure here leaves the site as it was.
 */
async function promote(event: unknown): Promise<{ prefix: string; objects: number }> {
  const { state } = await openState(event, 'build-deploy');
  const deploymentId = requireDeploymentId(state);
  const { output } = v.parse(Validated, state);
  const names = platformNames();
  const archive = await getObjectBuffer(names.buildBucket, bundleKey(deploymentId));
  if (createHash('sha256').update(archive).digest('hex') !== output.sha256) {
    throw Object.assign(new Error('build output changed after validation'), { name: 'InvalidBuildOutput' });
  }
  const prefix = deploymentPrefix(state.project, deploymentId);
  const files = (await readBundle(archive, () => true)).filter((entry) => entry.type === 'File');
  const server = files
    .map((entry) => ({ path: entry.path.replace(/^\.\//, ''), body: entry.body ?? Buffer.alloc(0) }))
    .filter((file) => file.path.startsWith('server/'));
  const puts: PutObjectCommandInput[] = files.map((entry) => {
    const path = entry.path.replace(/^\.\//, '');
    return {
      Bucket: names.projectBucket,
      Key: prefix + path,
      Body: entry.body ?? Buffer.alloc(0),
      ContentType: contentTypeFor(path),
      CacheControl: cacheControlFor(path),
    };
  });
  puts.push({ Bucket: names.projectBucket, Key: prefix + FUNCTION_ZIP, Body: zipFiles(server), ContentType: 'application/zip' });
  // Each put is a round trip of small bodies: many in flight keep the link busy; the zip goes in the same pool.
  // Skew protection alongside: pages of the last deployments still find their chunks under this
  // prefix. It copies only paths this deployment lacks, so it never writes a key the puts write.
  await Promise.all([
    eachLimited(puts, PROMOTE_CONCURRENCY, async (input) => {
      await s3Client().send(new PutObjectCommand(input));
    }),
    carryImmutableFiles(
      state.project,
      deploymentId,
      state.preview,
      files.map((entry) => entry.path.replace(/^\.\//, '')),
    ),
  ]);
  return { prefix, objects: files.length };
}

export const handler = instrumented('promote', promote);
