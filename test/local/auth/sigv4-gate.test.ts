import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DEFAULT_NAMES } from '../../../handlers/lib/config.js';
import { policyAllows, parseSessionPolicy } from '../../../infra/local/auth/session-policy.js';
import { startLocalStorage, type LocalStorage } from '../../../infra/local/storage/local-storage.js';
import { sendRequest } from '../../support/signed-request.js';

/** The gate lets the SDK's own requests through intact, and checks what a signature promises. */
let dir: string;
let storage: LocalStorage;
let s3: S3Client;
const BUCKET = DEFAULT_NAMES.buildBucket;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'slipway-gate-'));
  storage = await startLocalStorage(join(dir, 'data'), DEFAULT_NAMES);
  s3 = new S3Client({ endpoint: storage.s3Endpoint, region: 'us-east-1', forcePathStyle: true, credentials: storage.issuer.platform });
});

afterAll(async () => {
  s3?.destroy();
  await storage?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function stored(key: string): Promise<string | undefined> {
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    return await object.Body!.transformToString();
  } catch (error) {
    if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
    throw error;
  }
}

describe('the S3 gate', () => {
  it('passes an SDK upload of a buffer (signed payload hash) through intact', async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'buffered.txt', Body: Buffer.from('a buffered body') }));
    expect(await stored('buffered.txt')).toBe('a buffered body');
  });

  it('passes a streamed SDK upload (aws-chunked, trailing checksum) through byte for byte', async () => {
    const parts = ['first part, ', 'second part, ', 'third part'];
    await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'streamed.txt',
        Body: Readable.from(parts.map((p) => Buffer.from(p))),
        ContentLength: parts.join('').length,
      }),
    );
    // s3rver stores an aws-chunked body with its framing (as it does without the gate): the chunks
    // and the trailing checksum the SDK sent arrive unchanged.
    const body = await stored('streamed.txt');
    expect(body).toMatch(/first part, .*second part, .*third part.*x-amz-checksum-crc32:/s);
  });

  it('refuses a body that differs from the signed payload hash, storing nothing', async () => {
    const response = await sendRequest({
      endpoint: storage.s3Endpoint,
      service: 's3',
      method: 'PUT',
      path: `/${BUCKET}/tampered.txt`,
      headers: { 'x-amz-content-sha256': createHash('sha256').update('the signed body').digest('hex') },
      body: 'a swapped body!',
      credentials: storage.issuer.platform,
    });
    expect(response.status).toBe(400);
    expect(response.body).toContain('<Code>XAmzContentSHA256Mismatch</Code>');
    expect(await stored('tampered.txt')).toBeUndefined();
  });

  it('refuses a request signed more than 15 minutes ago', async () => {
    const stale = new Date(Date.now() - 20 * 60 * 1000);
    // Signed with the stale date the client claims, so only the date window can refuse it.
    const response = await sendRequest({
      endpoint: storage.s3Endpoint,
      service: 's3',
      method: 'GET',
      path: `/${BUCKET}/buffered.txt`,
      credentials: storage.issuer.platform,
      signingDate: stale,
    });
    expect(response.status).toBe(403);
    expect(response.body).toContain('<Code>RequestTimeTooSkewed</Code>');
  });

  it('refuses temporary credentials once they have expired', async () => {
    const policy = JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] });
    const { Credentials } = storage.issuer.assumeRole({ Policy: policy, DurationSeconds: 900 }, new Date(Date.now() - 901_000));
    const response = await sendRequest({
      endpoint: storage.s3Endpoint,
      service: 's3',
      method: 'GET',
      path: `/${BUCKET}/buffered.txt`,
      credentials: {
        accessKeyId: Credentials.AccessKeyId,
        secretAccessKey: Credentials.SecretAccessKey,
        sessionToken: Credentials.SessionToken,
      },
    });
    expect(response.status).toBe(403);
    expect(response.body).toContain('<Code>InvalidToken</Code>');
  });
});

describe('the DynamoDB gate', () => {
  it('refuses a JSON body that differs from the signed payload hash', async () => {
    const signedBody = JSON.stringify({ TableName: DEFAULT_NAMES.table, Limit: 1 });
    const response = await sendRequest({
      endpoint: storage.dynamoEndpoint,
      service: 'dynamodb',
      method: 'POST',
      path: '/',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'DynamoDB_20120810.DeleteTable',
        'x-amz-content-sha256': createHash('sha256').update(signedBody).digest('hex'),
      },
      body: JSON.stringify({ TableName: DEFAULT_NAMES.table }).padEnd(signedBody.length),
      credentials: storage.issuer.platform,
    });
    expect(response.status).toBe(403);
    expect(JSON.parse(response.body).__type).toBe('com.amazon.coral.service#InvalidSignatureException');
    const tables = await sendRequest({
      endpoint: storage.dynamoEndpoint,
      service: 'dynamodb',
      method: 'POST',
      path: '/',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.ListTables' },
      body: '{}',
      credentials: storage.issuer.platform,
    });
    expect(JSON.parse(tables.body).TableNames).toContain(DEFAULT_NAMES.table);
  });
});

describe('session policies', () => {
  const policy = parseSessionPolicy(
    JSON.stringify({
      Statement: [
        { Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::builds-bucket/builds/d-1/*' },
        { Effect: 'Allow', Action: ['s3:GetObject', 's3:DeleteObject'], Resource: 'arn:aws:s3:::builds-bucket/builds/d-1/env.json' },
      ],
    }),
  );

  it('allow what a statement names, wildcards included', () => {
    expect(policyAllows(policy, 's3:PutObject', 'arn:aws:s3:::builds-bucket/builds/d-1/log/0.txt')).toBe(true);
    expect(policyAllows(policy, 'S3:getobject', 'arn:aws:s3:::builds-bucket/builds/d-1/env.json')).toBe(true);
  });

  it('deny everything else', () => {
    expect(policyAllows(policy, 's3:PutObject', 'arn:aws:s3:::builds-bucket/builds/d-10/x')).toBe(false);
    expect(policyAllows(policy, 's3:GetObject', 'arn:aws:s3:::builds-bucket/builds/d-1/bundle.tar.gz')).toBe(false);
    expect(policyAllows(policy, 's3:ListBucket', 'arn:aws:s3:::builds-bucket')).toBe(false);
  });

  it('refuse a document that is not a policy, naming the field', () => {
    expect(() => parseSessionPolicy('{"Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}')).toThrow(
      /Policy\.Statement\.0\.Effect/,
    );
  });
});
