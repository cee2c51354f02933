import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { buildLogChunkKey as chunkKey, buildLogPrefix as logPrefix } from './names.js';
import { listKeys } from './s3-objects.js';

/**
 * Adds a line to a build's log from outside the sandbox, as the chunk after the runner's last: a
 * build stopped by a cap (its runner killed with it, perhaps) still gets a log that names the cap.
 */
export function buildLogAppender(s3: S3Client, buildBucket: string): (buildId: string, line: string) => Promise<void> {
  return async (buildId, line) => {
    const prefix = logPrefix(buildId);
    let last = -1;
    for (const key of await listKeys(buildBucket, prefix, s3)) {
      const seq = Number(/(\d{8})\.txt$/.exec(key)?.[1] ?? -1);
      if (seq > last) last = seq;
    }
    await s3.send(
      new PutObjectCommand({
        Bucket: buildBucket,
        Key: chunkKey(prefix, last + 1),
        Body: `${line}\n`,
        ContentType: 'text/plain; charset=utf-8',
      }),
    );
  };
}
