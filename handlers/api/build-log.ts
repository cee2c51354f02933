import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { s3Client, sfnClient } from '../lib/clients.js';
import { platformNames } from '../lib/config.js';
import type { DeploymentRecord } from './records.js';

/** Statuses after which no build log chunk can appear. */
const TERMINAL = new Set(['LIVE', 'FAILED', 'CANCELLED', 'SUPERSEDED']);

import { buildLogPrefix as logPrefix } from '../lib/names.js';

export { logPrefix };

/** Whether the deployment's own record says it has ended (one read; an aborted execution needs buildEnded). */
export function hasEndStatus(deployment: DeploymentRecord): boolean {
  return TERMINAL.has(deployment.status);
}

/**
 * Whether the build has ended, so no chunk can follow. Read this before listing the log: the
 * listing that follows an ended build is then complete. An execution can also stop without
 * recording its end on the deployment (aborted, or the local engine restarted).
 */
export async function buildEnded(deployment: DeploymentRecord): Promise<boolean> {
  if (hasEndStatus(deployment)) return true;
  if (!deployment.executionArn) return false;
  const execution = await sfnClient().send(new DescribeExecutionCommand({ executionArn: deployment.executionArn }));
  return execution.status !== 'RUNNING';
}

export interface LogPage {
  chunks: Array<{ key: string; text: string }>;
  /** More chunks follow the last one of this page. */
  truncated: boolean;
}

/** Up to 100 log chunks after `cursor` (a chunk key), in order. */
export async function readLogPage(deploymentId: string, cursor: string | undefined): Promise<LogPage> {
  const bucket = platformNames().buildBucket;
  const listing = await s3Client().send(
    new ListObjectsV2Command({ Bucket: bucket, Prefix: logPrefix(deploymentId), StartAfter: cursor, MaxKeys: 100 }),
  );
  const chunks: LogPage['chunks'] = [];
  for (const object of listing.Contents ?? []) {
    if (!object.Key) continue;
    const got = await s3Client().send(new GetObjectCommand({ Bucket: bucket, Key: object.Key }));
    chunks.push({ key: object.Key, text: (await got.Body?.transformToString('utf8')) ?? '' });
  }
  return { chunks, truncated: listing.IsTruncated === true };
}
