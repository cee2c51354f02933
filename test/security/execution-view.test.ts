import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { sign } from '@octokit/webhooks-methods';
import { dynamoClient } from '../../handlers/lib/clients.js';
import { forgetGithubAppCredentials } from '../../handlers/lib/github/app-credentials.js';
import type { BuildJobRequest } from '../../infra/local/engine/task-bindings.js';
import {
  createReadyProject,
  deployOnce,
  quickBuild,
  startApiHarness,
  waitFor,
  WEBHOOK_SECRET,
  type ApiHarness,
} from '../api/support/api-harness.js';
import { startGithubServer, type GithubTestServer } from '../support/github-server.js';
import { tarFixture } from '../support/tar-fixture.js';

/**
 * Attack: read secrets out of execution data through the API. Before, the execution route served
 * the raw input (the ticket) and history (the build's credentials), and a failed Batch build's
 * cause (its job description, container environment included) was recorded on the deployment.
 * Here a project with a build secret, a runtime secret and a plain variable deploys through an
 * upload and through GitHub, and one build fails with a cause that embeds credentials; then every
 * API response and the whole table are searched for the actual secret strings.
 */
const PROJECT = 'vault';
const REPO = 'Octo-Org/Vault-Site';
const SHA = 'e5'.repeat(20);
const INSTALLATION = 5151;

const BUILD_SECRET = 'bs-9a1c7e33f0b2-build-secret-value';
const RUNTIME_SECRET = 'rs-4d8e2a6b1c90-runtime-secret-value';
const PLAIN_VALUE = 'plain-value-71f3e9c1d5';
/** What a Batch job description would carry in its environment on AWS: STS keys of the build. */
const LEAKED_ACCESS_KEY = 'ASIA5LEAKEDKEYID7Q2Z';
const LEAKED_SECRET_KEY = 'Zx9LeakedSecretKey/0a1B2c3D4e5F6g7H8i9J0kL';
const LEAKED_SESSION_TOKEN = 'IQoJb3JpZ2luX2VjLeakedSessionToken+9f8E7d6C5b4A3z2Y1x0WvUtSrQp';

let harness: ApiHarness;
let github: GithubTestServer;
const buildRequests: BuildJobRequest[] = [];
/** From when it is set, builds fail with a cause that embeds the build's credentials. */
let failBuilds = false;

function appTarball(): Buffer {
  const top = `octo-org-vault-site-${SHA.slice(0, 7)}/`;
  return tarFixture([
    { path: top, type: 'Directory' },
    { path: `${top}package.json`, body: JSON.stringify({ name: 'vault', scripts: { build: 'echo build' } }) },
  ]);
}

beforeAll(async () => {
  github = await startGithubServer();
  harness = await startApiHarness({
    buildJob: async (aws, request, options) => {
      buildRequests.push(request);
      const id = request.environment.SLIPWAY_BUILD_ID as string;
      if (failBuilds) {
        // A failed `submitJob.sync` step's cause on AWS: the job description, container environment included.
        const environment = Object.entries({
          ...request.environment,
          AWS_ACCESS_KEY_ID: LEAKED_ACCESS_KEY,
          AWS_SECRET_ACCESS_KEY: LEAKED_SECRET_KEY,
          AWS_SESSION_TOKEN: LEAKED_SESSION_TOKEN,
        });
        const job = {
          JobName: request.jobName,
          JobId: `job-${id}`,
          Status: 'FAILED',
          StatusReason: 'Essential container in task exited',
          Container: {
            ExitCode: 1,
            Reason: `build failed with secret=${BUILD_SECRET}`,
            Environment: environment.map(([Name, Value]) => ({ Name, Value })),
          },
        };
        throw Object.assign(new Error(JSON.stringify(job)), { name: 'States.TaskFailed' });
      }
      return quickBuild(aws, request, options);
    },
  });
  github.configure(harness.aws, harness.aws.dir);
  forgetGithubAppCredentials();
  github.tarballs.set(`${REPO.toLowerCase()}@${SHA}`, appTarball());
  await createReadyProject(harness, PROJECT);
}, 60_000);

afterAll(async () => {
  await harness?.close();
  await github?.close();
});

async function deliver(event: string, payload: unknown) {
  const body = JSON.stringify(payload);
  const response = await harness.app.request('/api/v1/webhooks/github', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-github-event': event,
      'x-github-delivery': randomUUID(),
      'x-hub-signature-256': await sign(WEBHOOK_SECRET, body),
    },
    body,
  });
  return { status: response.status, json: (await response.json()) as Record<string, any> };
}

/** Waits for the execution to end, not only the record (reporting steps run after it). */
async function settled(id: string): Promise<Record<string, any>> {
  await waitFor(
    () => harness.call('GET', `/projects/${PROJECT}/deployments/${id}/execution`),
    (r) => r.status === 200 && r.json.execution.status !== 'RUNNING',
  );
  return (await harness.call('GET', `/projects/${PROJECT}/deployments/${id}`)).json.deployment as Record<string, any>;
}

describe('nothing secret in execution data an API caller sees', () => {
  const ids: { upload?: string; github?: string; failed?: string } = {};

  it('deploys with secrets and a plain variable, through an upload and through GitHub, and fails one build', async () => {
    for (const [key, body] of [
      ['BUILD_TOKEN', { value: BUILD_SECRET, secret: true, target: 'build' }],
      ['SESSION_KEY', { value: RUNTIME_SECRET, secret: true, target: 'runtime' }],
      ['PUBLIC_LABEL', { value: PLAIN_VALUE }],
    ] as const) {
      expect((await harness.call('PUT', `/projects/${PROJECT}/env/${key}`, body)).status).toBe(200);
    }

    const uploaded = await deployOnce(harness, PROJECT);
    expect(uploaded.status).toBe('LIVE');
    ids.upload = uploaded.id;

    expect(
      (
        await deliver('installation', {
          action: 'created',
          installation: { id: INSTALLATION, account: { login: 'admin', type: 'User' } },
          repositories: [{ id: 1, full_name: REPO, private: true }],
        })
      ).status,
    ).toBe(202);
    expect((await harness.call('PUT', `/projects/${PROJECT}/repository`, { repository: REPO })).status).toBe(200);
    const pushed = await deliver('push', {
      ref: 'refs/heads/main',
      before: '0'.repeat(40),
      after: SHA,
      deleted: false,
      repository: { full_name: REPO, default_branch: 'main' },
      installation: { id: INSTALLATION },
      sender: { login: 'octocat' },
    });
    expect(pushed.status).toBe(202);
    ids.github = pushed.json.deliveries[0].deploymentId as string;
    expect(await settled(ids.github)).toMatchObject({ status: 'LIVE', github: { repository: REPO, commit: SHA } });
    expect(github.tokens.length).toBeGreaterThan(0);

    // Every build from here fails (the deployments of this test run one after another).
    failBuilds = true;
    const source = await harness.call('POST', `/projects/${PROJECT}/sources`, { bytes: 4 });
    await fetch(source.json.uploadUrl, { method: 'PUT', headers: source.json.headers, body: 'fail' });
    const started = await harness.call('POST', `/projects/${PROJECT}/deployments`, { source: { key: source.json.source.key } });
    ids.failed = started.json.deployment.id as string;
    const failed = await settled(ids.failed);
    expect(failed).toMatchObject({ status: 'FAILED', failedState: 'Build', error: 'States.TaskFailed' });
    expect(failed.cause).toBe(
      `Batch job slipway-build job-${ids.failed} FAILED: Essential container in task exited: container exit code 1: build failed with secret=[redacted]`,
    );
  });

  it('no API response and no item of the table holds a ticket, a credential, a token, a secret, or the plain value outside the env listing', async () => {
    const { upload, github: fromGithub, failed } = ids;
    expect(upload && fromGithub && failed).toBeTruthy();

    // The actual strings: every ticket the executions were started with (raw, from the engine), the
    // credentials each build job was given, GitHub's installation tokens, the variables' values.
    const tickets = harness.engine
      .listExecutions({})
      .map((e) => (JSON.parse(harness.engine.describeExecution(e.executionArn).input) as { ticket: string }).ticket);
    expect(tickets.length).toBeGreaterThanOrEqual(4);
    const buildCredentials = buildRequests
      .flatMap((r) => [r.environment.AWS_SECRET_ACCESS_KEY, r.environment.AWS_SESSION_TOKEN])
      .filter((v): v is string => typeof v === 'string' && v.length >= 6);
    expect(buildCredentials.length).toBeGreaterThan(0);
    const secrets = [
      ...tickets,
      ...buildCredentials,
      ...github.tokens,
      BUILD_SECRET,
      RUNTIME_SECRET,
      LEAKED_ACCESS_KEY,
      LEAKED_SECRET_KEY,
      LEAKED_SESSION_TOKEN,
    ];

    const paths = [
      '/me',
      '/projects',
      `/projects/${PROJECT}`,
      `/projects/${PROJECT}/settings`,
      `/projects/${PROJECT}/deployments`,
      ...[upload, fromGithub, failed].flatMap((id) => [
        `/projects/${PROJECT}/deployments/${id}`,
        `/projects/${PROJECT}/deployments/${id}/execution`,
        `/projects/${PROJECT}/deployments/${id}/logs`,
      ]),
      '/executions',
      '/executions?status=FAILED',
      '/github/repositories',
      '/admin/audit',
      '/admin/users',
    ];
    const responses = new Map<string, string>();
    for (const path of paths) {
      const answer = await harness.call('GET', path);
      expect(answer.status, path).toBe(200);
      responses.set(path, JSON.stringify(answer.json));
    }
    // The view is really there: state by state, with the failure summarised.
    const failedView = JSON.parse(responses.get(`/projects/${PROJECT}/deployments/${failed}/execution`) as string).execution;
    expect(failedView.states.find((s: { name: string }) => s.name === 'Build')).toMatchObject({
      status: 'caught',
      error: 'States.TaskFailed',
    });
    expect(failedView.states.map((s: { name: string }) => s.name)).toContain('Summarise failure');
    const githubView = JSON.parse(responses.get(`/projects/${PROJECT}/deployments/${fromGithub}/execution`) as string).execution;
    expect(githubView.input).toMatchObject({ project: PROJECT, deploymentId: fromGithub, github: { repository: REPO, commit: SHA } });
    expect(githubView.states.map((s: { name: string }) => s.name)).toEqual(
      expect.arrayContaining(['Fetch source', 'Scope build credentials', 'Build']),
    );

    for (const [path, text] of responses) {
      for (const secret of secrets) expect(text.includes(secret), `${path} holds a secret (${secret.slice(0, 6)}…)`).toBe(false);
      expect(text.includes(PLAIN_VALUE), `${path} holds the plain variable's value`).toBe(false);
    }
    // The one place that deliberately returns plain values.
    const listing = await harness.call('GET', `/projects/${PROJECT}/env`);
    expect(JSON.stringify(listing.json)).toContain(PLAIN_VALUE);
    for (const secret of [BUILD_SECRET, RUNTIME_SECRET]) expect(JSON.stringify(listing.json)).not.toContain(secret);

    // The whole table: no secret anywhere; the plain value only in its variable and the deployments' runtime snapshots.
    const items: Array<Record<string, unknown>> = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await dynamoClient().send(
        new ScanCommand({ TableName: 'slipway-platform', ExclusiveStartKey: start, ConsistentRead: true }),
      );
      items.push(...((page.Items ?? []) as Array<Record<string, unknown>>));
      start = page.LastEvaluatedKey;
    } while (start);
    expect(items.length).toBeGreaterThan(5);
    for (const item of items) {
      const text = JSON.stringify(item);
      const where = `${String(item.pk)} ${String(item.sk)}`;
      for (const secret of secrets) expect(text.includes(secret), `${where} holds a secret (${secret.slice(0, 6)}…)`).toBe(false);
      if (text.includes(PLAIN_VALUE))
        expect(String(item.sk), `${where} holds the plain variable's value`).toMatch(/^(ENV#PUBLIC_LABEL|RUNENV#d-[a-z0-9-]+)$/);
    }
  });
});
