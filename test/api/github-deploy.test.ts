import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { sign } from '@octokit/webhooks-methods';
import * as tar from 'tar';
import { forgetGithubAppCredentials } from '../../handlers/lib/github/app-credentials.js';
import {
  createReadyProject,
  deployOnce,
  quickBuild,
  startApiHarness,
  waitFor,
  WEBHOOK_SECRET,
  type ApiHarness,
} from './support/api-harness.js';
import { startGithubServer, type GithubTestServer } from '../support/github-server.js';
import { tarFixture } from '../support/tar-fixture.js';

/**
 * Builds from GitHub, end to end through the API, the local engine and a test GitHub: a signed
 * push starts build-and-deploy, *Fetch source* downloads the commit with an installation token,
 * the (stand-in) build gets the stripped archive, and each step is reported back to GitHub.
 */
const REPO = 'Octo-Org/Shop-Front';
const MAIN_SHA = 'a1'.repeat(20);
const FEATURE_SHA = 'b2'.repeat(20);
const FORK_SHA = 'c3'.repeat(20);
const MISSING_SHA = 'd4'.repeat(20);
const INSTALLATION = 4242;

let harness: ApiHarness;
let github: GithubTestServer;
/** The source archive each build received, by deployment id. */
const received = new Map<string, Buffer>();

function appTarball(sha: string, title: string): Buffer {
  const top = `octo-org-shop-front-${sha.slice(0, 7)}/`;
  return tarFixture([
    { path: top, type: 'Directory' },
    { path: `${top}package.json`, body: JSON.stringify({ name: 'shop', scripts: { build: 'echo build' } }) },
    { path: `${top}src/`, type: 'Directory' },
    { path: `${top}src/title.txt`, body: title },
  ]);
}

beforeAll(async () => {
  github = await startGithubServer();
  harness = await startApiHarness({
    buildJob: async (aws, request, options) => {
      const env = request.environment;
      const object = await aws.s3.send(new GetObjectCommand({ Bucket: env.SLIPWAY_SOURCE_BUCKET, Key: env.SLIPWAY_SOURCE_KEY }));
      received.set(env.SLIPWAY_BUILD_ID as string, Buffer.from(await object.Body!.transformToByteArray()));
      return quickBuild(aws, request, options);
    },
  });
  github.configure(harness.aws, harness.aws.dir);
  forgetGithubAppCredentials();
  harness.aws.platform.tenantUrlTemplate = 'http://{project}.localhost:8080/';
  github.tarballs.set(`${REPO.toLowerCase()}@${MAIN_SHA}`, appTarball(MAIN_SHA, 'from main'));
  github.tarballs.set(`${REPO.toLowerCase()}@${FEATURE_SHA}`, appTarball(FEATURE_SHA, 'from feature'));
  github.tarballs.set(`${REPO.toLowerCase()}@${FORK_SHA}`, appTarball(FORK_SHA, 'from a fork'));
  await createReadyProject(harness, 'shop');
}, 60_000);

afterAll(async () => {
  await harness?.close();
  await github?.close();
});

async function deliver(event: string, payload: unknown, delivery = randomUUID()) {
  const body = JSON.stringify(payload);
  const response = await harness.app.request('/api/v1/webhooks/github', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-github-event': event,
      'x-github-delivery': delivery,
      'x-hub-signature-256': await sign(WEBHOOK_SECRET, body),
    },
    body,
  });
  return { status: response.status, json: (await response.json()) as Record<string, any>, delivery };
}

const account = (login: string) => ({ id: INSTALLATION, account: { login, type: 'User' } });
const repos = (...names: string[]) => names.map((full_name, i) => ({ id: i + 1, full_name, private: true }));

function push(ref: string, after: string) {
  return {
    ref,
    before: '0'.repeat(40),
    after,
    deleted: false,
    repository: { full_name: REPO, default_branch: 'main' },
    installation: { id: INSTALLATION },
    sender: { login: 'octocat' },
  };
}

/** Waits for the execution to end (the report steps run after the record is LIVE or FAILED). */
async function settled(id: string) {
  await waitFor(
    () => harness.call('GET', `/projects/shop/deployments/${id}/execution`),
    (r) => r.status === 200 && r.json.execution.status !== 'RUNNING',
  );
  return (await harness.call('GET', `/projects/shop/deployments/${id}`)).json.deployment as Record<string, any>;
}

async function files(archive: Buffer): Promise<Record<string, string>> {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-src-'));
  try {
    writeFileSync(join(dir, 'a.tar.gz'), archive);
    const names: string[] = [];
    await tar.t({
      file: join(dir, 'a.tar.gz'),
      onReadEntry: (entry) => void (entry.type === 'File' && names.push(entry.path.replace(/^\.\//, ''))),
    });
    await tar.x({ file: join(dir, 'a.tar.gz'), cwd: dir });
    return Object.fromEntries(names.sort().map((name) => [name, readFileSync(join(dir, name), 'utf8')]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The reporting calls made to GitHub for one commit, in order: its statuses, its Deployments and their statuses. */
function reports(sha: string) {
  const deployments = new Set(github.calls.filter((c) => c.path.endsWith('/deployments') && c.body?.ref === sha && c.id).map((c) => c.id));
  return github.calls.filter(
    (c) =>
      c.method === 'POST' &&
      (c.path.endsWith(`/statuses/${sha}`) ||
        (c.path.endsWith('/deployments') && c.body?.ref === sha) ||
        deployments.has(Number(/\/deployments\/(\d+)\/statuses$/.exec(c.path)?.[1]))),
  );
}

describe('installations and linking', () => {
  it('keeps what each installation grants and refuses to link a repository not granted', async () => {
    expect(
      (await deliver('installation', { action: 'created', installation: account('admin'), repositories: repos(REPO, 'octo-org/docs') }))
        .status,
    ).toBe(202);
    expect(
      (
        await deliver('installation', {
          action: 'created',
          installation: { id: 77, account: { login: 'someone' } },
          repositories: repos('someone/private'),
        })
      ).status,
    ).toBe(202);
    let listed = await harness.call('GET', '/github/repositories');
    expect(listed.json.repositories).toEqual([
      { repository: 'octo-org/docs', installationId: INSTALLATION },
      { repository: 'octo-org/shop-front', installationId: INSTALLATION },
    ]);

    await deliver('installation_repositories', {
      action: 'removed',
      installation: account('admin'),
      repositories_removed: repos('octo-org/docs'),
    });
    await deliver('installation_repositories', {
      action: 'added',
      installation: account('admin'),
      repositories_added: repos('octo-org/blog'),
    });
    listed = await harness.call('GET', '/github/repositories');
    expect(listed.json.repositories.map((r: { repository: string }) => r.repository)).toEqual(['octo-org/blog', 'octo-org/shop-front']);

    // Granted, but to someone else's installation; and removed from the caller's.
    for (const repository of ['someone/private', 'octo-org/docs']) {
      const refused = await harness.call('PUT', '/projects/shop/repository', { repository });
      expect(refused.status).toBe(403);
      expect(refused.json.error).toMatchObject({
        code: 'Forbidden',
        field: 'body.repository',
        message: expect.stringContaining(`body.repository ${repository}`),
      });
    }
    expect((await harness.call('GET', '/projects/shop')).json.project.repository).toBeUndefined();

    const linked = await harness.call('PUT', '/projects/shop/repository', { repository: REPO });
    expect(linked.status).toBe(200);
    expect(linked.json.project).toMatchObject({ name: 'shop', repository: 'octo-org/shop-front' });
    expect(linked.json.project.productionBranch).toBeUndefined();
  });

  it('checks the grant when a project is created with a repository: refused, nothing is written', async () => {
    const refused = await harness.call('POST', '/projects', { name: 'made-linked', repository: 'someone/private' });
    expect(refused.status).toBe(403);
    expect(refused.json.error.field).toBe('body.repository');
    expect((await harness.call('GET', '/projects/made-linked')).status).toBe(404);
    expect((await harness.call('POST', '/projects', { name: 'made-linked', productionBranch: 'main' })).json.error.field).toBe(
      'body.productionBranch',
    );
    const created = await harness.call('POST', '/projects', {
      name: 'made-linked',
      repository: 'Octo-Org/Blog',
      productionBranch: 'release',
    });
    expect(created.status).toBe(202);
    expect(created.json.project).toMatchObject({ repository: 'octo-org/blog', productionBranch: 'release' });
    expect((await harness.call('GET', '/projects/made-linked')).json.project).toMatchObject({
      repository: 'octo-org/blog',
      productionBranch: 'release',
    });
  });

  it('forgets a deleted installation', async () => {
    await deliver('installation', { action: 'deleted', installation: { id: 77, account: { login: 'someone' } } });
    await deliver('installation', {
      action: 'created',
      installation: { id: 78, account: { login: 'admin' } },
      repositories: repos('octo-org/gone'),
    });
    expect(
      (await harness.call('GET', '/github/repositories')).json.repositories.map((r: { repository: string }) => r.repository),
    ).toContain('octo-org/gone');
    await deliver('installation', { action: 'deleted', installation: { id: 78, account: { login: 'admin' } } });
    expect(
      (await harness.call('GET', '/github/repositories')).json.repositories.map((r: { repository: string }) => r.repository),
    ).not.toContain('octo-org/gone');
  });

  it('validates the link body, naming the field', async () => {
    const bad = await harness.call('PUT', '/projects/shop/repository', { repository: 'no-slash' });
    expect(bad.status).toBe(400);
    expect(bad.json.error.field).toBe('body.repository');
    const branch = await harness.call('PUT', '/projects/shop/repository', { repository: REPO, productionBranch: '../x' });
    expect(branch.json.error.field).toBe('body.productionBranch');
  });
});

describe('builds from pushes', () => {
  let liveId: string;

  it('a push to the production branch fetches the commit from GitHub and goes live', async () => {
    const result = await deliver('push', push('refs/heads/main', MAIN_SHA));
    expect(result.status).toBe(202);
    expect(result.json.deliveries).toEqual([
      { project: 'shop', kind: 'production', branch: 'main', commit: MAIN_SHA, deploymentId: expect.stringMatching(/^d-/) },
    ]);
    liveId = result.json.deliveries[0].deploymentId;
    const deployment = await settled(liveId);
    expect(deployment).toMatchObject({
      status: 'LIVE',
      commit: MAIN_SHA,
      github: { repository: REPO, commit: MAIN_SHA, installationId: INSTALLATION },
      source: { key: `sources/shop/github-${liveId}.tar.gz` },
    });
    // What the build received is GitHub's tarball without its top-level directory.
    expect(await files(received.get(liveId)!)).toEqual({
      'package.json': JSON.stringify({ name: 'shop', scripts: { build: 'echo build' } }),
      'src/title.txt': 'from main',
    });
    expect(
      github.calls.some((c) => c.path === `/repos/Octo-Org/Shop-Front/tarball/${MAIN_SHA}` && c.authorization?.startsWith('token ghs_')),
    ).toBe(true);
  });

  it('reports the deployment to GitHub: status and Deployment, in progress then success with the URL', async () => {
    const calls = reports(MAIN_SHA).map((c) => ({ path: c.path.replace(/\d{4,}/, 'N'), body: c.body }));
    const statuses = calls.filter((c) => c.path.includes('/statuses/' + MAIN_SHA)).map((c) => c.body);
    expect(statuses).toEqual([
      expect.objectContaining({ state: 'pending', context: 'slipway/shop' }),
      expect.objectContaining({ state: 'success', context: 'slipway/shop', target_url: 'http://shop.localhost:8080/' }),
    ]);
    const created = calls.filter((c) => c.path === '/repos/Octo-Org/Shop-Front/deployments');
    expect(created).toHaveLength(1);
    expect(created[0]!.body).toMatchObject({
      ref: MAIN_SHA,
      environment: 'production',
      production_environment: true,
      auto_merge: false,
      required_contexts: [],
    });
    const deploymentStatuses = calls.filter((c) => c.path === '/repos/Octo-Org/Shop-Front/deployments/N/statuses').map((c) => c.body);
    expect(deploymentStatuses).toEqual([
      expect.objectContaining({ state: 'in_progress' }),
      expect.objectContaining({ state: 'success', environment_url: 'http://shop.localhost:8080/' }),
    ]);
  });

  it('never lets the installation token into the execution state or history', async () => {
    expect(github.tokens.length).toBeGreaterThan(0);
    const execution = await harness.call('GET', `/projects/shop/deployments/${liveId}/execution`);
    expect(execution.status).toBe(200);
    const text = JSON.stringify(execution.json);
    expect(text).toContain('Fetch source');
    for (const token of github.tokens) expect(text).not.toContain(token);
    expect(text).not.toContain('ghs_');
    expect(JSON.stringify((await harness.call('GET', `/projects/shop/deployments/${liveId}`)).json)).not.toContain('ghs_');
  });

  it('starts nothing for a repeated delivery', async () => {
    const delivery = randomUUID();
    // Another push of the same commit (after a force-push away and back): a body of its own, since a body seen before is a replay whatever its delivery id.
    const again = { ...push('refs/heads/main', MAIN_SHA), before: 'f'.repeat(40) };
    const first = await deliver('push', again, delivery);
    expect(first.status).toBe(202);
    await settled(first.json.deliveries[0].deploymentId);
    const before = (await harness.call('GET', '/projects/shop/deployments')).json.deployments.length;
    const repeated = await deliver('push', again, delivery);
    expect(repeated.status).toBe(200);
    expect(repeated.json).toEqual({ ignored: 'duplicate delivery' });
    expect((await harness.call('GET', '/projects/shop/deployments')).json.deployments).toHaveLength(before);
  });

  it('a push to another branch is a preview, reported with its own environment and URL', async () => {
    const result = await deliver('push', push('refs/heads/feature/X', FEATURE_SHA));
    expect(result.json.deliveries[0]).toMatchObject({ kind: 'preview', alias: 'feature-x' });
    const deployment = await settled(result.json.deliveries[0].deploymentId);
    expect(deployment).toMatchObject({ status: 'LIVE', preview: 'feature-x' });
    expect((await files(received.get(deployment.id)!))['src/title.txt']).toBe('from feature');
    const created = reports(FEATURE_SHA).find((c) => c.path.endsWith('/deployments'));
    expect(created?.body).toMatchObject({ environment: 'preview/feature-x', transient_environment: true, production_environment: false });
    const success = reports(FEATURE_SHA).find((c) => c.body?.state === 'success' && c.path.includes('/deployments/'));
    expect(success?.body?.environment_url).toBe('http://shop--feature-x.localhost:8080/');
  });

  it('a commit GitHub cannot serve fails in Fetch source, and the failure is reported', async () => {
    const result = await deliver('push', push('refs/heads/main', MISSING_SHA));
    const deployment = await settled(result.json.deliveries[0].deploymentId);
    expect(deployment).toMatchObject({ status: 'FAILED', failedState: 'Fetch source', error: 'SourceFetchFailed' });
    expect(deployment.cause).toContain('HTTP 404');
    expect(received.has(deployment.id)).toBe(false);
    const states = reports(MISSING_SHA).map((c) => c.body?.state ?? `create ${c.body?.environment}`);
    expect(states).toEqual(['pending', 'create production', 'in_progress', 'failure', 'failure']);
  });

  it('goes live even when GitHub refuses every report', async () => {
    github.failReporting = 500;
    try {
      const result = await deliver('push', push('refs/heads/main', FEATURE_SHA));
      const deployment = await settled(result.json.deliveries[0].deploymentId);
      expect(deployment.status).toBe('LIVE');
    } finally {
      github.failReporting = undefined;
    }
  });

  it('an uploaded source skips the GitHub steps and reports nothing', async () => {
    const calls = github.calls.length;
    const { id, status } = await deployOnce(harness, 'shop');
    expect(status).toBe('LIVE');
    expect(github.calls.length).toBe(calls);
    const states = (await harness.call('GET', `/projects/shop/deployments/${id}/execution`)).json.execution.states as Array<{
      name: string;
    }>;
    expect(states.map((s) => s.name)).toContain('Build');
    expect(states.map((s) => s.name)).not.toContain('Fetch source');
  });
});

describe('pull requests from forks', () => {
  const pullRequest = (action: string, headRepo: string | null) => ({
    action,
    number: 7,
    pull_request: {
      head: { sha: FORK_SHA, ref: 'patch-1', repo: headRepo ? { full_name: headRepo } : null },
      base: { ref: 'main', repo: { full_name: REPO } },
    },
    repository: { full_name: REPO },
    installation: { id: INSTALLATION },
  });

  it('builds a preview without secrets, which an owner approves once', async () => {
    const result = await deliver('pull_request', pullRequest('opened', 'stranger/shop-front'));
    expect(result.status).toBe(202);
    expect(result.json.deliveries).toEqual([
      {
        project: 'shop',
        kind: 'preview',
        alias: 'pr-7',
        branch: 'patch-1',
        commit: FORK_SHA,
        deploymentId: expect.stringMatching(/^d-/),
        withholdSecrets: true,
      },
    ]);
    const withheld = await settled(result.json.deliveries[0].deploymentId);
    expect(withheld).toMatchObject({ status: 'LIVE', preview: 'pr-7', withholdSecrets: true, secrets: 'withheld' });
    const history = await harness.call('GET', `/projects/shop/deployments/${withheld.id}/execution`);
    expect(history.json.execution.input).toMatchObject({ withholdSecrets: true, preview: 'pr-7' });

    const approved = await harness.call('POST', `/projects/shop/deployments/${withheld.id}/approve`);
    expect(approved.status).toBe(202);
    expect(approved.json.deployment).toMatchObject({ approvalOf: withheld.id, preview: 'pr-7', commit: FORK_SHA });
    expect(approved.json.deployment.withholdSecrets).toBeUndefined();
    const redeployed = await settled(approved.json.deployment.id);
    expect(redeployed.status).toBe('LIVE');
    expect((await files(received.get(redeployed.id)!))['src/title.txt']).toBe('from a fork');

    const twice = await harness.call('POST', `/projects/shop/deployments/${withheld.id}/approve`);
    expect(twice.status).toBe(409);
    expect(twice.json.error.field).toBe('path.id');
    const nothingWithheld = await harness.call('POST', `/projects/shop/deployments/${redeployed.id}/approve`);
    expect(nothingWithheld.status).toBe(409);
  });

  it('ignores same-repository pull requests and other actions', async () => {
    expect((await deliver('pull_request', pullRequest('opened', REPO))).json.ignored).toContain('same repository');
    expect((await deliver('pull_request', pullRequest('closed', 'stranger/shop-front'))).json).toEqual({
      ignored: 'pull_request action closed',
    });
    expect((await deliver('pull_request', pullRequest('opened', null))).json.ignored).toContain('no longer exists');
  });
});
