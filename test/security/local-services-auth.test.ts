import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request as httpRequest } from 'node:http';
import { GetItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { BuildJobRequest } from '../../infra/local/engine/task-bindings.js';
import { createReadyProject, startApiHarness, type ApiHarness } from '../api/support/api-harness.js';
import { putObject } from '../support/local-aws.js';
import { jsonCall, sendRequest, type RawCredentials, type RawResponse } from '../support/signed-request.js';

/**
 * Issue 9, item 2 (and the presigned length of item 8): a hostile build used the well-known local
 * keys, or none, to read and write other tenants' data in the local S3 and DynamoDB and to read and
 * stop other executions. Each attack is sent for real against the gates and must be refused in the
 * service's own format, with nothing changed behind them.
 */

const SOURCE_BUCKET = 'slipway-sources';
const BUILD_BUCKET = 'slipway-builds';
const PROJECT_BUCKET = 'slipway-projects';
const VICTIM_ROBOTS = 'alpha/deployments/d-live/client/robots.txt';

let harness: ApiHarness;
let s3Endpoint: string;
let dynamoEndpoint: string;
let sfnEndpoint: string;
let platformKeys: RawCredentials;
let TABLE: string;
/** Each project's held build: its job request (with the scoped credentials) and the execution running it. */
const builds = new Map<string, { request: BuildJobRequest; executionArn: string }>();
const buildStarted = new Map<string, (request: BuildJobRequest) => void>();
let releaseBuilds: () => void;
const released = new Promise<void>((resolve) => (releaseBuilds = resolve));

/** The attacker's keys: none, the platform's key id with a guessed secret, and s3rver's well-known pair. */
const forged: Array<[string, RawCredentials | undefined]> = [
  ['unsigned', undefined],
  ['wrongly signed', { accessKeyId: 'placeholder', secretAccessKey: 'guessed-secret' }],
  ['S3RVER-keyed', { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }],
];
const keysFor = (label: string, keys: RawCredentials | undefined) =>
  label === 'wrongly signed' ? { ...keys!, accessKeyId: platformKeys.accessKeyId } : keys;

function expectS3Refusal(response: RawResponse, codes: string[]): void {
  expect(response.status).toBe(403);
  const code = /<Error><Code>([A-Za-z]+)<\/Code>/.exec(response.body)?.[1];
  expect(codes).toContain(code);
}

function expectJsonRefusal(response: RawResponse, types: string[]): void {
  expect(response.status).toBe(403);
  const type = String((JSON.parse(response.body) as { __type?: string }).__type ?? '');
  expect(types).toContain(type.split('#')[1]);
  expect(type).toContain('#');
}

function scopedKeys(project: string): RawCredentials {
  const env = builds.get(project)!.request.environment;
  return { accessKeyId: env.AWS_ACCESS_KEY_ID!, secretAccessKey: env.AWS_SECRET_ACCESS_KEY!, sessionToken: env.AWS_SESSION_TOKEN! };
}

function scopedS3(project: string): S3Client {
  return new S3Client({ endpoint: s3Endpoint, region: 'us-east-1', forcePathStyle: true, credentials: scopedKeys(project) });
}

async function readObject(bucket: string, key: string): Promise<string> {
  const object = await harness.aws.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return object.Body!.transformToString();
}

async function exists(bucket: string, key: string): Promise<boolean> {
  try {
    await harness.aws.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (error) {
    if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return false;
    throw error;
  }
}

/** Uploads a source for `project` through the API's presigned URL and starts a deployment; resolves once its build job runs. */
async function startHeldBuild(project: string): Promise<void> {
  const archive = Buffer.from(`source of ${project}`);
  const source = await harness.call('POST', `/projects/${project}/sources`, { bytes: archive.length });
  const put = await fetch(source.json.uploadUrl, { method: 'PUT', headers: source.json.headers, body: archive });
  expect(put.status).toBe(200);
  const running = new Promise<BuildJobRequest>((resolve) => buildStarted.set(project, resolve));
  const started = await harness.call('POST', `/projects/${project}/deployments`, { source: { key: source.json.source.key } });
  expect(started.status).toBe(202);
  builds.set(project, { request: await running, executionArn: started.json.executionArn ?? started.json.deployment.executionArn });
}

beforeAll(async () => {
  harness = await startApiHarness({
    // Stands for the sandboxed build: it holds the scoped credentials until the test lets it go.
    buildJob: async (_aws, request, options) => {
      buildStarted.get(request.environment.SLIPWAY_PROJECT!)?.(request);
      await Promise.race([
        released,
        new Promise((_, reject) => options?.signal?.addEventListener('abort', () => reject(new Error('stopped')))),
      ]);
      throw Object.assign(new Error('held build released'), { name: 'Batch.JobFailed' });
    },
  });
  s3Endpoint = harness.aws.storage.s3Endpoint;
  dynamoEndpoint = harness.aws.storage.dynamoEndpoint;
  sfnEndpoint = harness.sfnEndpoint;
  platformKeys = harness.aws.storage.issuer.platform;
  TABLE = harness.aws.platform.names.table;
  await createReadyProject(harness, 'alpha');
  await createReadyProject(harness, 'beta');
  await putObject(harness.aws.s3, PROJECT_BUCKET, VICTIM_ROBOTS, 'User-agent: *');
  await startHeldBuild('alpha');
  await startHeldBuild('beta');
}, 60_000);

afterAll(async () => {
  releaseBuilds();
  await harness?.close();
});

describe('the local keys are generated per start', () => {
  it('are not the well-known s3rver pair', () => {
    expect(platformKeys.accessKeyId).not.toBe('S3RVER');
    expect(platformKeys.secretAccessKey).not.toBe('S3RVER');
    expect(platformKeys.secretAccessKey.length).toBeGreaterThanOrEqual(32);
  });
});

describe.each(forged)('a %s request', (label, keys) => {
  it('cannot list the sources of every tenant in S3', async () => {
    const response = await sendRequest({
      endpoint: s3Endpoint,
      service: 's3',
      method: 'GET',
      path: `/${SOURCE_BUCKET}`,
      query: { 'list-type': '2' },
      ...(keys ? { credentials: keysFor(label, keys) } : {}),
    });
    expectS3Refusal(response, ['AccessDenied', 'SignatureDoesNotMatch', 'InvalidAccessKeyId']);
    expect(response.body).not.toContain('sources/alpha');
  });

  it("cannot overwrite another tenant's live robots.txt in S3", async () => {
    const response = await sendRequest({
      endpoint: s3Endpoint,
      service: 's3',
      method: 'PUT',
      path: `/${PROJECT_BUCKET}/${VICTIM_ROBOTS}`,
      body: 'Disallow: /',
      ...(keys ? { credentials: keysFor(label, keys) } : {}),
    });
    expectS3Refusal(response, ['AccessDenied', 'SignatureDoesNotMatch', 'InvalidAccessKeyId']);
    expect(await readObject(PROJECT_BUCKET, VICTIM_ROBOTS)).toBe('User-agent: *');
  });

  it('cannot write itself a user item with admin roles in DynamoDB', async () => {
    const item = { pk: { S: 'USER#intruder' }, sk: { S: 'PROFILE' }, roles: { L: [{ S: 'maintainer' }, { S: 'role-manager' }] } };
    const response = await jsonCall(dynamoEndpoint, 'dynamodb', 'PutItem', { TableName: TABLE, Item: item }, keysFor(label, keys));
    expectJsonRefusal(response, ['MissingAuthenticationTokenException', 'InvalidSignatureException', 'UnrecognizedClientException']);
    const client = new DynamoDBClient({ endpoint: dynamoEndpoint, region: 'us-east-1', credentials: platformKeys });
    const stored = await client.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: 'USER#intruder' }, sk: { S: 'PROFILE' } } }));
    client.destroy();
    expect(stored.Item).toBeUndefined();
  });

  it('cannot scan the DynamoDB table', async () => {
    const response = await jsonCall(dynamoEndpoint, 'dynamodb', 'Scan', { TableName: TABLE }, keysFor(label, keys));
    expectJsonRefusal(response, ['MissingAuthenticationTokenException', 'InvalidSignatureException', 'UnrecognizedClientException']);
    expect(response.body).not.toContain('PROFILE');
  });

  it("cannot read another tenant's execution (and its ticket) with DescribeExecution", async () => {
    const response = await jsonCall(
      sfnEndpoint,
      'states',
      'DescribeExecution',
      { executionArn: builds.get('alpha')!.executionArn },
      keysFor(label, keys),
    );
    expectJsonRefusal(response, ['MissingAuthenticationTokenException', 'InvalidSignatureException', 'UnrecognizedClientException']);
    expect(response.body).not.toContain('ticket');
  });

  it("cannot stop another tenant's build with StopExecution", async () => {
    const { executionArn } = builds.get('alpha')!;
    const response = await jsonCall(sfnEndpoint, 'states', 'StopExecution', { executionArn }, keysFor(label, keys));
    expectJsonRefusal(response, ['MissingAuthenticationTokenException', 'InvalidSignatureException', 'UnrecognizedClientException']);
    expect(harness.engine.describeExecution(executionArn).status).toBe('RUNNING');
  });
});

describe("a build's scoped credentials (the local STS stand-in)", () => {
  it('are temporary credentials, not the platform keys', () => {
    const keys = scopedKeys('beta');
    expect(keys.accessKeyId).not.toBe(platformKeys.accessKeyId);
    expect(keys.sessionToken?.length).toBeGreaterThan(20);
  });

  it('put objects under their own build prefix and read their own source', async () => {
    const s3 = scopedS3('beta');
    const { request } = builds.get('beta')!;
    const id = request.environment.SLIPWAY_BUILD_ID!;
    await s3.send(new PutObjectCommand({ Bucket: BUILD_BUCKET, Key: `builds/${id}/x`, Body: 'mine' }));
    expect(await readObject(BUILD_BUCKET, `builds/${id}/x`)).toBe('mine');
    const source = await s3.send(
      new GetObjectCommand({ Bucket: request.environment.SLIPWAY_SOURCE_BUCKET!, Key: request.environment.SLIPWAY_SOURCE_KEY! }),
    );
    expect(await source.Body!.transformToString()).toBe('source of beta');
    s3.destroy();
  });

  it("cannot write under another build's prefix", async () => {
    const other = builds.get('alpha')!.request.environment.SLIPWAY_BUILD_ID!;
    const response = await sendRequest({
      endpoint: s3Endpoint,
      service: 's3',
      method: 'PUT',
      path: `/${BUILD_BUCKET}/builds/${other}/bundle.tar.gz`,
      body: 'forged',
      credentials: scopedKeys('beta'),
    });
    expectS3Refusal(response, ['AccessDenied']);
    expect(await exists(BUILD_BUCKET, `builds/${other}/bundle.tar.gz`)).toBe(false);
  });

  it("cannot climb out of its own prefix with '..' segments", async () => {
    const own = builds.get('beta')!.request.environment.SLIPWAY_BUILD_ID!;
    const other = builds.get('alpha')!.request.environment.SLIPWAY_BUILD_ID!;
    const response = await sendRequest({
      endpoint: s3Endpoint,
      service: 's3',
      method: 'PUT',
      path: `/${BUILD_BUCKET}/builds/${own}/../${other}/bundle.tar.gz`,
      body: 'forged',
      credentials: scopedKeys('beta'),
    });
    expectS3Refusal(response, ['AccessDenied']);
    expect(await exists(BUILD_BUCKET, `builds/${other}/bundle.tar.gz`)).toBe(false);
  });

  it("cannot read another tenant's source", async () => {
    const other = builds.get('alpha')!.request.environment;
    const response = await sendRequest({
      endpoint: s3Endpoint,
      service: 's3',
      method: 'GET',
      path: `/${other.SLIPWAY_SOURCE_BUCKET}/${other.SLIPWAY_SOURCE_KEY}`,
      credentials: scopedKeys('beta'),
    });
    expectS3Refusal(response, ['AccessDenied']);
    expect(response.body).not.toContain('source of alpha');
  });

  it('cannot list the sources bucket', async () => {
    const response = await sendRequest({
      endpoint: s3Endpoint,
      service: 's3',
      method: 'GET',
      path: `/${SOURCE_BUCKET}`,
      query: { 'list-type': '2' },
      credentials: scopedKeys('beta'),
    });
    expectS3Refusal(response, ['AccessDenied']);
  });

  it("cannot touch the project bucket (another tenant's robots.txt)", async () => {
    const response = await sendRequest({
      endpoint: s3Endpoint,
      service: 's3',
      method: 'PUT',
      path: `/${PROJECT_BUCKET}/${VICTIM_ROBOTS}`,
      body: 'Disallow: /',
      credentials: scopedKeys('beta'),
    });
    expectS3Refusal(response, ['AccessDenied']);
    expect(await readObject(PROJECT_BUCKET, VICTIM_ROBOTS)).toBe('User-agent: *');
  });

  it('get nothing from DynamoDB', async () => {
    const response = await jsonCall(dynamoEndpoint, 'dynamodb', 'Scan', { TableName: TABLE }, scopedKeys('beta'));
    expectJsonRefusal(response, ['AccessDeniedException']);
  });

  it('get nothing from Step Functions', async () => {
    const { executionArn } = builds.get('alpha')!;
    const described = await jsonCall(sfnEndpoint, 'states', 'DescribeExecution', { executionArn }, scopedKeys('beta'));
    expectJsonRefusal(described, ['AccessDeniedException']);
    const stopped = await jsonCall(sfnEndpoint, 'states', 'StopExecution', { executionArn }, scopedKeys('beta'));
    expectJsonRefusal(stopped, ['AccessDeniedException']);
    expect(harness.engine.describeExecution(executionArn).status).toBe('RUNNING');
  });

  it('are refused without their session token', async () => {
    const { sessionToken: _dropped, ...withoutToken } = scopedKeys('beta');
    const own = builds.get('beta')!.request.environment.SLIPWAY_BUILD_ID!;
    const response = await sendRequest({
      endpoint: s3Endpoint,
      service: 's3',
      method: 'PUT',
      path: `/${BUILD_BUCKET}/builds/${own}/y`,
      body: 'x',
      credentials: withoutToken,
    });
    expectS3Refusal(response, ['InvalidToken']);
  });
});

/** PUTs `body` to a presigned URL with node:http, declaring `declaredLength` (or sending chunked when undefined). */
function putToUrl(url: string, body: Buffer, declaredLength: number | undefined): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const req = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: 'PUT',
        path: `${target.pathname}${target.search}`,
        headers: {
          'content-type': 'application/gzip',
          ...(declaredLength === undefined ? { 'transfer-encoding': 'chunked' } : { 'content-length': String(declaredLength) }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('presigned source uploads', () => {
  async function presign(bytes: number): Promise<{ url: string; key: string }> {
    const source = await harness.call('POST', '/projects/alpha/sources', { bytes });
    expect(source.status).toBe(201);
    return { url: source.json.uploadUrl as string, key: source.json.source.key as string };
  }

  it('take a body of exactly the signed length', async () => {
    const { url, key } = await presign(10);
    const response = await putToUrl(url, Buffer.alloc(10, 1), 10);
    expect(response.status).toBe(200);
    expect(await exists(SOURCE_BUCKET, key)).toBe(true);
  });

  it('refuse a body longer than the signed length', async () => {
    const { url, key } = await presign(10);
    const response = await putToUrl(url, Buffer.alloc(4096, 1), 4096);
    expectS3Refusal(response, ['SignatureDoesNotMatch']);
    expect(await exists(SOURCE_BUCKET, key)).toBe(false);
  });

  it('refuse a chunked body that declares no length', async () => {
    const { url, key } = await presign(10);
    const response = await putToUrl(url, Buffer.alloc(4096, 1), undefined);
    expectS3Refusal(response, ['SignatureDoesNotMatch']);
    expect(await exists(SOURCE_BUCKET, key)).toBe(false);
  });

  it('refuse an expired URL', async () => {
    const key = 'sources/alpha/expired.tar.gz';
    const url = await getSignedUrl(harness.aws.s3, new PutObjectCommand({ Bucket: SOURCE_BUCKET, Key: key, ContentLength: 10 }), {
      expiresIn: 60,
      signingDate: new Date(Date.now() - 10 * 60 * 1000),
    });
    const response = await putToUrl(url, Buffer.alloc(10, 1), 10);
    expectS3Refusal(response, ['AccessDenied']);
    expect(response.body).toContain('expired');
    expect(await exists(SOURCE_BUCKET, key)).toBe(false);
  });
});
