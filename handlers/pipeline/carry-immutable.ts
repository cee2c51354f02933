import { CopyObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import * as v from 'valibot';
import { s3Client } from '../lib/clients.js';
import { platformNames } from '../lib/config.js';
import { eachLimited, getObjectBuffer, isMissingObject, listKeys } from '../lib/s3-objects.js';
import { queryDeploymentReleases } from '../lib/table/deployments.js';
import { deploymentPrefix } from './state.js';

/**
 * Skew protection for build assets: how many earlier deployments of the same pointer (production,
 * or one preview alias) keep their content-hashed files reachable from the new one. See
 * docs/ARCHITECTURE.md ("Skew protection") for why 3.
 */
export const CARRIED_DEPLOYMENTS = 3;

/** Deployments a promote looks through for the last CARRIED_DEPLOYMENTS of its pointer. */
const DEPLOYMENTS_SCANNED = 100;

/** Beside each deployment's files: the immutable files its own build wrote (carried ones excluded). */
export const OWN_IMMUTABLE_LIST = 'slipway-immutable.json';

const OwnImmutable = v.array(v.string());

/** `client/{appDir}/immutable/…`: SvelteKit's content-hashed output (`_app` unless kit.appDir says otherwise). */
export function isImmutablePath(path: string): boolean {
  return /^client\/[^/]+\/immutable\//.test(path);
}

/**
 * The deployments a client may still be running when `deploymentId` goes live under the same
 * pointer: the newest CARRIED_DEPLOYMENTS others that went live as production (or as the same
 * preview alias). A rollback target that is live now is among them only while it is that recent.
 */
export async function previousDeployments(project: string, deploymentId: string, preview: string | undefined): Promise<string[]> {
  const recent = await queryDeploymentReleases(project, DEPLOYMENTS_SCANNED);
  return recent
    .filter((d) => d.id !== deploymentId && d.status === 'LIVE' && d.preview === preview)
    .slice(0, CARRIED_DEPLOYMENTS)
    .map((d) => d.id);
}

/**
 * The immutable files a deployment's own build wrote, relative to its prefix: its list, or for a
 * deployment promoted before lists existed (it carries nothing), what its prefix holds.
 */
export async function ownImmutableFiles(project: string, deploymentId: string): Promise<string[]> {
  const names = platformNames();
  const prefix = deploymentPrefix(project, deploymentId);
  try {
    return v.parse(OwnImmutable, JSON.parse((await getObjectBuffer(names.projectBucket, prefix + OWN_IMMUTABLE_LIST)).toString('utf8')));
  } catch (error) {
    if (!isMissingObject(error)) throw error;
  }
  return (await listKeys(names.projectBucket, `${prefix}client/`)).map((key) => key.slice(prefix.length)).filter(isImmutablePath);
}

/**
 * Writes the new deployment's own immutable list, then copies (server-side, metadata and all) the
 * immutable files of the previous deployments of its pointer that it lacks into its own prefix:
 * a page loaded before the release asks the live pointer's prefix for its chunks, and finds them
 * by the same content-hashed names. The edge functions are unchanged. Returns how many it copied.
 */
export async function carryImmutableFiles(
  project: string,
  deploymentId: string,
  preview: string | undefined,
  ownFiles: string[],
): Promise<number> {
  const names = platformNames();
  const prefix = deploymentPrefix(project, deploymentId);
  const own = ownFiles.filter(isImmutablePath);
  // The list, the query and the earlier deployments' lists are independent round trips: all at once.
  const writeList = s3Client().send(
    new PutObjectCommand({
      Bucket: names.projectBucket,
      Key: prefix + OWN_IMMUTABLE_LIST,
      Body: JSON.stringify(own),
      ContentType: 'application/json',
    }),
  );
  const readLists = previousDeployments(project, deploymentId, preview).then((previous) =>
    Promise.all(previous.map(async (id) => ({ id, paths: await ownImmutableFiles(project, id) }))),
  );
  const [, lists] = await Promise.all([writeList, readLists]);
  const present = new Set(own);
  const copies: Array<{ from: string; path: string }> = [];
  // Newest first, as before: a path two earlier deployments share is copied from the newer.
  for (const { id, paths } of lists) {
    for (const path of paths) {
      if (present.has(path)) continue;
      present.add(path);
      copies.push({ from: deploymentPrefix(project, id) + path, path });
    }
  }
  let copied = 0;
  await eachLimited(copies, 8, async ({ from, path }) => {
    try {
      await s3Client().send(
        new CopyObjectCommand({
          Bucket: names.projectBucket,
          Key: prefix + path,
          CopySource: `${names.projectBucket}/${from.split('/').map(encodeURIComponent).join('/')}`,
          MetadataDirective: 'COPY',
        }),
      );
      copied += 1;
    } catch (error) {
      // A file gone from an earlier deployment is one fewer to keep; it never fails the release.
      if (!isMissingObject(error)) throw error;
    }
  });
  return copied;
}

/**
 * A rollback makes an older deployment live again: the pages of the deployments it replaces ask
 * its prefix for their chunks, so the same carrying runs on the target (its own list unchanged).
 */
export async function carryIntoRollbackTarget(project: string, target: string): Promise<number> {
  return carryImmutableFiles(project, target, undefined, await ownImmutableFiles(project, target));
}
