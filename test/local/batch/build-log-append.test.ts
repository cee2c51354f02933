import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { startBareS3, type BareS3 } from '../../support/bare-s3.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildLogAppender } from '../../../handlers/lib/build-log-append.js';

const BUCKET = 'slipway-builds';

describe("appending to a build's log from outside the sandbox", () => {
  let root: string;
  let bare: BareS3;
  let s3: S3Client;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'slipway-log-append-'));
    bare = await startBareS3(root, [BUCKET]);
    s3 = bare.s3;
  });
  afterAll(async () => {
    await bare.close();
    await rm(root, { recursive: true, force: true });
  });

  it("writes the line as the chunk after the runner's last, leaving the runner's chunks as they were", async () => {
    for (const seq of ['00000000', '00000001']) {
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `builds/d-1/log/${seq}.txt`, Body: `runner chunk ${seq}\n` }));
    }
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'builds/d-10/log/00000005.txt', Body: 'another build\n' }));
    await buildLogAppender(s3, BUCKET)('d-1', 'slipway: limit build memory is 4096 MiB; the build was stopped');
    const keys = (await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'builds/d-1/' }))).Contents?.map((object) => object.Key);
    expect(keys).toEqual(['builds/d-1/log/00000000.txt', 'builds/d-1/log/00000001.txt', 'builds/d-1/log/00000002.txt']);
    const added = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'builds/d-1/log/00000002.txt' }));
    expect(await added.Body?.transformToString()).toBe('slipway: limit build memory is 4096 MiB; the build was stopped\n');
  });

  it('starts a log that has no chunk yet', async () => {
    await buildLogAppender(s3, BUCKET)('d-2', 'slipway: limit build processes is 512; the build was stopped');
    const keys = (await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'builds/d-2/' }))).Contents?.map((object) => object.Key);
    expect(keys).toEqual(['builds/d-2/log/00000000.txt']);
  });
});
