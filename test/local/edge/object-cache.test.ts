import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createObjectReader, type EdgeObject } from '../../../infra/local/edge/object-cache.js';
import { startBareS3, type BareS3 } from '../../support/bare-s3.js';

const BUCKET = 'slipway-projects';
let dir: string;
let bare: BareS3;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'slipway-object-cache-'));
  bare = await startBareS3(dir, [BUCKET]);
});
afterAll(async () => {
  await bare.close();
  rmSync(dir, { recursive: true, force: true });
});

const put = (key: string, body: string) =>
  bare.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body, ContentType: 'text/html' }));

async function text(object: EdgeObject): Promise<string> {
  const body = object.Body;
  if (!body) return '';
  if (Buffer.isBuffer(body)) return body.toString();
  const chunks: Buffer[] = [];
  for await (const chunk of body as Readable) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}

// Objects are rewritten in S3 below only to tell a cached answer from a fresh read: a deployment's
// objects never change on the platform.
describe('the edge object reader', () => {
  it('answers a deployment object from memory after the first read, metadata and HEAD included', async () => {
    const read = createObjectReader({ s3: bare.s3, bucket: BUCKET });
    const key = 'app/deployments/d1/prerendered/about.html';
    await put(key, 'first');
    const first = await read(key, 'GET');
    expect(await text(first)).toBe('first');
    await put(key, 'second!');
    const again = await read(key, 'GET');
    expect(await text(again)).toBe('first');
    expect(again).toMatchObject({ ContentType: 'text/html', ContentLength: 5, ETag: first.ETag });
    await bare.s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }));
    const head = await read(key, 'HEAD');
    expect(head.ContentLength).toBe(5);
    expect(head.Body).toBeUndefined();
  });

  it('reads keys outside a deployment from S3 every time', async () => {
    const read = createObjectReader({ s3: bare.s3, bucket: BUCKET });
    const key = 'app/not-a-deployment.html';
    await put(key, 'first');
    expect(await text(await read(key, 'GET'))).toBe('first');
    await put(key, 'second');
    expect(await text(await read(key, 'GET'))).toBe('second');
  });

  it('streams objects over the per-object bound without holding them', async () => {
    const read = createObjectReader({ s3: bare.s3, bucket: BUCKET, maxObjectBytes: 8 });
    const key = 'app/deployments/d1/client/big.js';
    await put(key, 'x'.repeat(9));
    const first = await read(key, 'GET');
    expect(Buffer.isBuffer(first.Body)).toBe(false);
    expect(await text(first)).toBe('x'.repeat(9));
    await put(key, 'y'.repeat(9));
    expect(await text(await read(key, 'GET'))).toBe('y'.repeat(9));
  });

  it('drops the least recently used object when the total bound is reached', async () => {
    const read = createObjectReader({ s3: bare.s3, bucket: BUCKET, maxBytes: 10 });
    const keys = ['a', 'b', 'c'].map((name) => `app/deployments/d2/client/${name}.txt`);
    for (const key of keys) await put(key, 'four');
    for (const key of keys) await read(key, 'GET');
    for (const key of keys) await put(key, 'new!');
    // a (4 bytes) went when c made it 12 > 10; b and c are still held (read first, so a's re-read evicts nothing they need).
    expect(await text(await read(keys[1] as string, 'GET'))).toBe('four');
    expect(await text(await read(keys[2] as string, 'GET'))).toBe('four');
    expect(await text(await read(keys[0] as string, 'GET'))).toBe('new!');
  });

  it('rejects a missing key as S3 does, and keeps nothing for it', async () => {
    const read = createObjectReader({ s3: bare.s3, bucket: BUCKET });
    const key = 'app/deployments/d3/client/missing.js';
    await expect(read(key, 'GET')).rejects.toMatchObject({ name: 'NoSuchKey' });
    await put(key, 'now here');
    expect(await text(await read(key, 'GET'))).toBe('now here');
  });
});
