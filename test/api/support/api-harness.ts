import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createApiApp } from '../../../handlers/api/app.js';
import { LocalStepFunctions } from '../../../infra/local/engine/local-step-functions.js';
import { localExecutionStarter } from '../../../infra/local/bindings/platform.js';
import { startSfnApi } from '../../../infra/local/engine/sfn-api-server.js';
import { localCloudFormation } from '../../../infra/local/cloudformation.js';
import type { LocalServices } from '../../../infra/local/engine/task-bindings.js';
import { ensureLocalKey } from '../../../handlers/lib/platform-key.js';
import { synthesizedOnce } from '../../support/synthesized-once.js';
import { putObject, startTestAws, type TestAws } from '../../support/local-aws.js';
import { tarFixture, validBundleEntries } from '../../support/tar-fixture.js';

/** The admin token the harness writes to the token file. */
export const TOKEN = 'test-admin-token-0123456789abcdef';
/** The GitHub App webhook secret the harness configures (SLIPWAY_GITHUB_WEBHOOK_SECRET_FILE). */
export const WEBHOOK_SECRET = 'test-webhook-secret-0123456789';

export interface CallResult {
  status: number;
  json: Record<string, any>;
}

export interface ApiHarness {
  aws: TestAws;
  engine: LocalStepFunctions;
  /** The SigV4 gate in front of the engine's Step Functions API. */
  sfnEndpoint: string;
  app: ReturnType<typeof createApiApp>;
  /** A JSON call with the admin token (override it in `headers`); a string body is sent as is. */
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<CallResult>;
  close(): Promise<void>;
}

/** A stand-in build job: the engine passes the execution's stop signal in `options`. */
export type FakeBuildJob = (aws: TestAws, ...args: Parameters<LocalServices['runBuildJob']>) => ReturnType<LocalServices['runBuildJob']>;

/** The default build: two log chunks and a valid bundle, at once. */
export const quickBuild: FakeBuildJob = async (aws, request) => {
  const id = request.environment.SLIPWAY_BUILD_ID as string;
  await putObject(aws.s3, 'slipway-builds', `builds/${id}/log/00000000.txt`, 'slipway: installing\n');
  await putObject(aws.s3, 'slipway-builds', `builds/${id}/log/00000001.txt`, 'slipway: building\n');
  await putObject(aws.s3, 'slipway-builds', `builds/${id}/bundle.tar.gz`, tarFixture(validBundleEntries()));
  return { jobId: id, status: 'SUCCEEDED' };
};

/**
 * The API against the local DynamoDB and S3 servers and the local Step Functions engine; the build
 * job and the stacks are stood in for (by default a build writes two log chunks and a valid bundle;
 * `options.buildJob` replaces it, e.g. with a slow one).
 */
export async function startApiHarness(options: { buildJob?: FakeBuildJob } = {}): Promise<ApiHarness> {
  const aws = await startTestAws();
  const buildJob = options.buildJob ?? quickBuild;
  const services: LocalServices = {
    runBuildJob: (request, runOptions) => buildJob(aws, request, runOptions),
    // The local binding, with a function host that has nothing to fetch.
    cloudformation: localCloudFormation({ prepare: async () => undefined, remove: async () => undefined }),
    assumeRole: async (parameters) => aws.storage.issuer.assumeRole(parameters),
    platform: () => aws.platform,
  };
  const tokenFile = join(aws.dir, 'admin.token');
  writeFileSync(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
  const webhookSecretFile = join(aws.dir, 'github-webhook.secret');
  writeFileSync(webhookSecretFile, `${WEBHOOK_SECRET}\n`, { mode: 0o600 });
  const sessionKeyFile = join(aws.dir, 'secrets', 'session.key');
  await ensureLocalKey(sessionKeyFile);
  const engine = await LocalStepFunctions.create(await synthesizedOnce(), services, join(aws.dir, 'executions'));
  const sfnApi = await startSfnApi(engine, aws.storage.issuer);
  aws.platform.executions = localExecutionStarter(aws.storage, sfnApi.endpoint);
  Object.assign(aws.secretFiles.files, {
    'admin-token': tokenFile,
    'session-key': sessionKeyFile,
    'github-webhook-secret': webhookSecretFile,
  });
  const app = createApiApp();

  async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<CallResult> {
    const response = await app.request(`/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    // A non-JSON answer (the log stream) comes back as an empty object.
    const isJson = (response.headers.get('content-type') ?? '').includes('json');
    return { status: response.status, json: (isJson ? await response.json() : (await response.text(), {})) as Record<string, any> };
  }

  async function close(): Promise<void> {
    aws.platform.executions.client.destroy();
    await engine.close();
    await sfnApi.close();
    await aws.close();
  }

  return { aws, engine, sfnEndpoint: sfnApi.endpoint, app, call, close };
}

export async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('timed out waiting');
}

/** Uploads a small source archive for a READY project and deploys it; resolves once it is LIVE or FAILED. */
export async function deployOnce(
  harness: ApiHarness,
  project: string,
  options: { headers?: Record<string, string>; preview?: string } = {},
): Promise<{ id: string; status: string }> {
  const headers = options.headers ?? {};
  const preview = options.preview;
  const archive = Buffer.from(`source for ${project}`);
  const source = await harness.call('POST', `/projects/${project}/sources`, { bytes: archive.length }, headers);
  const put = await fetch(source.json.uploadUrl, { method: 'PUT', headers: source.json.headers, body: archive });
  if (put.status !== 200) throw new Error(`upload failed: ${put.status}`);
  const started = await harness.call(
    'POST',
    `/projects/${project}/deployments`,
    { source: { key: source.json.source.key }, ...(preview ? { preview } : {}) },
    headers,
  );
  const id = started.json.deployment.id as string;
  const done = await waitFor(
    () => harness.call('GET', `/projects/${project}/deployments/${id}`),
    (r) => ['LIVE', 'FAILED'].includes(r.json.deployment.status),
  );
  return { id, status: done.json.deployment.status as string };
}

/** Creates a project (as the admin, or as whoever `headers` authenticate) and waits until init-project has finished with it. */
export async function createReadyProject(harness: ApiHarness, name: string, headers: Record<string, string> = {}): Promise<void> {
  const created = await harness.call('POST', '/projects', { name }, headers);
  if (created.status !== 202) throw new Error(`creating ${name}: ${created.status} ${JSON.stringify(created.json)}`);
  // Polled as the admin: the poll is not what is under test.
  const ready = await waitFor(
    () => harness.call('GET', `/projects/${name}`),
    (r) => r.json.project.status !== 'CREATING',
  );
  if (ready.json.project.status !== 'READY') throw new Error(`project ${name} is ${ready.json.project.status}`);
}

/** Creates a user with `roles` (as the admin) and issues an API token for them; returns the Authorization header. */
export async function userWithToken(harness: ApiHarness, login: string, roles: string[]): Promise<{ authorization: string }> {
  const created = await harness.call('POST', '/admin/users', { login, roles });
  if (created.status !== 201) throw new Error(`creating user ${login}: ${created.status} ${JSON.stringify(created.json)}`);
  const issued = await harness.call('POST', `/admin/users/${login}/tokens`, { label: 'test' });
  if (issued.status !== 201) throw new Error(`issuing a token for ${login}: ${issued.status} ${JSON.stringify(issued.json)}`);
  return { authorization: `Bearer ${issued.json.token}` };
}
