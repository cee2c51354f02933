import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { sign } from '@octokit/webhooks-methods';
import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { createApiApp } from '../../handlers/api/app.js';
import { createProject, findProjectsByRepository, linkProjectRepository } from '../../handlers/api/records.js';
import { decidePush, MAX_ALIAS_LENGTH, previewAlias, pushedBranch, type PushFacts } from '../../handlers/api/github/branch-rules.js';
import { forgetWebhookSecret } from '../../handlers/api/github/webhook-secret.js';
import { dynamoClient } from '../../handlers/lib/clients.js';
import { DEFAULT_NAMES } from '../../handlers/lib/config.js';
import type { TestAws } from '../support/local-aws.js';
import { startApiHarness, type ApiHarness } from './support/api-harness.js';

/**
 * GitHub App webhooks against the local DynamoDB server and engine; GitHub is played by signing
 * payloads here (no GitHub App is configured, so the executions pushes start fail at Fetch source:
 * what is checked here is what the webhook decides and starts; github-deploy.test.ts follows a build).
 */
const SECRET = 'test-webhook-secret-0123456789';
const REPO = 'Octo-Org/Shop-Front';
const MAIN_SHA = 'a'.repeat(40);
const FEATURE_SHA = 'b'.repeat(40);
let harness: ApiHarness;
let aws: TestAws;
let app: ReturnType<typeof createApiApp>;

beforeAll(async () => {
  harness = await startApiHarness();
  aws = harness.aws;
  const secretFile = join(aws.dir, 'github-webhook.secret');
  writeFileSync(secretFile, `${SECRET}\n`, { mode: 0o600 });
  aws.secretFiles.files['github-webhook-secret'] = secretFile;
  forgetWebhookSecret();
  app = createApiApp();
  // shop follows the default branch; shop-release deploys `release` to production; shop-new is still being created.
  for (const [name, status, branch] of [
    ['shop', 'READY', undefined],
    ['shop-release', 'READY', 'release'],
    ['shop-new', 'CREATING', undefined],
  ] as const) {
    await createProject(name, 'admin');
    if (status === 'READY') await setStatus(name, 'READY');
    await linkProjectRepository(name, REPO, branch);
  }
  await createProject('unlinked', 'admin');
});

afterAll(async () => {
  await harness?.close();
});

async function setStatus(name: string, status: string) {
  await dynamoClient().send(
    new UpdateCommand({
      TableName: DEFAULT_NAMES.table,
      Key: { pk: `PROJECT#${name}`, sk: 'META' },
      UpdateExpression: 'SET #s = :s',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':s': status },
    }),
  );
}

async function pushItems(project: string) {
  const page = await dynamoClient().send(
    new QueryCommand({
      TableName: DEFAULT_NAMES.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :push)',
      ExpressionAttributeValues: { ':pk': `PROJECT#${project}`, ':push': 'PUSH#' },
      ConsistentRead: true,
    }),
  );
  return page.Items ?? [];
}

interface DeliverOptions {
  delivery?: string | null;
  signature?: string | null;
  /** The body actually sent, when it differs from the one signed. */
  sent?: string;
  headers?: Record<string, string>;
}

async function deliver(event: string | null, payload: unknown, options: DeliverOptions = {}) {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const signature = options.signature === undefined ? await sign(SECRET, body) : options.signature;
  const delivery = options.delivery === undefined ? randomUUID() : options.delivery;
  const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
  if (event !== null) headers['x-github-event'] = event;
  if (delivery !== null) headers['x-github-delivery'] = delivery;
  if (signature !== null) headers['x-hub-signature-256'] = signature;
  const response = await app.request('/api/v1/webhooks/github', { method: 'POST', headers, body: options.sent ?? body });
  return { status: response.status, json: (await response.json()) as Record<string, any>, delivery };
}

function push(ref: string, after: string, extra: Record<string, unknown> = {}) {
  return {
    ref,
    before: '0'.repeat(40),
    after,
    deleted: false,
    created: false,
    repository: { id: 1, full_name: REPO, default_branch: 'main', private: true },
    installation: { id: 4242 },
    sender: { login: 'octocat' },
    ...extra,
  };
}

describe('webhook signature', () => {
  it('refuses an unsigned delivery with 401', async () => {
    const result = await deliver('ping', { zen: 'hi' }, { signature: null });
    expect(result.status).toBe(401);
    expect(result.json).toEqual({ error: { code: 'Unauthorized', message: 'the X-Hub-Signature-256 header is missing' } });
  });

  it('refuses a signature made with another secret, and a malformed one', async () => {
    const body = JSON.stringify({ zen: 'hi' });
    const wrong = await deliver('ping', body, { signature: await sign('not-the-secret', body) });
    expect(wrong.status).toBe(401);
    expect(wrong.json.error.message).toContain('does not match');
    expect((await deliver('ping', body, { signature: 'sha1=abc' })).status).toBe(401);
  });

  it('refuses a body altered after signing', async () => {
    const signed = JSON.stringify(push('refs/heads/main', MAIN_SHA));
    const altered = signed.replace('refs/heads/main', 'refs/heads/evil');
    const result = await deliver('push', signed, { sent: altered });
    expect(result.status).toBe(401);
    expect(await pushItems('shop')).toHaveLength(0);
  });

  it('needs no bearer token, and answers a valid ping with 200', async () => {
    const result = await deliver('ping', { zen: 'Keep it logically awesome.', hook_id: 1 });
    expect(result.status).toBe(200);
    expect(result.json).toEqual({ pong: true, zen: 'Keep it logically awesome.' });
  });
});

describe('webhook headers and body', () => {
  it('refuses a missing or malformed delivery id, naming the header', async () => {
    const missing = await deliver('ping', { zen: 'x' }, { delivery: null });
    expect(missing.status).toBe(400);
    expect(missing.json.error).toMatchObject({
      code: 'BadRequest',
      field: 'header.X-GitHub-Delivery',
      message: 'the X-GitHub-Delivery header is missing',
    });
    const malformed = await deliver('ping', { zen: 'x' }, { delivery: 'not-a-uuid' });
    expect(malformed.json.error).toMatchObject({ field: 'header.X-GitHub-Delivery', message: expect.stringContaining('must be a UUID') });
    expect((await deliver(null, { zen: 'x' })).json.error.field).toBe('header.X-GitHub-Event');
  });

  it('refuses a body over 1 MB with 413 naming the limit', async () => {
    const result = await deliver('push', push('refs/heads/main', MAIN_SHA, { padding: 'x'.repeat(1024 * 1024) }));
    expect(result.status).toBe(413);
    expect(result.json.error).toMatchObject({ code: 'PayloadTooLarge', message: 'body exceeds the webhook limit of 1048576 bytes' });
  });

  it('accepts a payload above the general API body limit', async () => {
    const result = await deliver(
      'push',
      push('refs/heads/main', MAIN_SHA, {
        padding: 'x'.repeat(300 * 1024),
        repository: { full_name: 'someone/else', default_branch: 'main' },
      }),
    );
    expect(result.status).toBe(202);
    expect(result.json).toEqual({ ignored: 'no project is linked to someone/else' });
  });

  it('names the invalid field of a signed push payload', async () => {
    const result = await deliver('push', push('refs/heads/main', 'not-a-sha'));
    expect(result.status).toBe(400);
    expect(result.json.error).toMatchObject({ code: 'BadRequest', field: 'body.after' });
    const notJson = await deliver('push', '{not json');
    expect(notJson.json.error).toMatchObject({ field: 'body', message: 'body must be a JSON document' });
  });

  it('ignores events it does not handle with 202', async () => {
    const result = await deliver('issues', { action: 'opened' });
    expect(result.status).toBe(202);
    expect(result.json).toEqual({ ignored: 'event issues' });
  });
});

describe('webhook branch rules', () => {
  it('deploys a push to the production branch to production, and records the decision', async () => {
    const result = await deliver('push', push('refs/heads/main', MAIN_SHA));
    expect(result.status).toBe(202);
    // shop follows main; shop-release deploys `release`, so main is a preview there; shop-new is not READY.
    const started = { deploymentId: expect.stringMatching(/^d-/) };
    expect(result.json.deliveries).toEqual([
      { project: 'shop', kind: 'production', branch: 'main', commit: MAIN_SHA, ...started },
      { project: 'shop-release', kind: 'preview', alias: 'main', branch: 'main', commit: MAIN_SHA, ...started },
    ]);
    expect(result.json.skipped).toEqual([{ project: 'shop-new', reason: 'project is CREATING, not READY' }]);
    const { Item } = await dynamoClient().send(
      new GetCommand({ TableName: DEFAULT_NAMES.table, Key: { pk: 'PROJECT#shop', sk: `PUSH#${result.delivery}` }, ConsistentRead: true }),
    );
    expect(Item).toMatchObject({
      kind: 'production',
      commit: MAIN_SHA,
      branch: 'main',
      repository: 'octo-org/shop-front',
      installationId: 4242,
      status: 'STARTED',
      deploymentId: result.json.deliveries[0].deploymentId,
    });
    expect(Item?.alias).toBeUndefined();
    // Each decision started build-and-deploy for the pushed commit, as a preview where it is one.
    const production = await harness.call('GET', `/projects/shop/deployments/${result.json.deliveries[0].deploymentId}`);
    expect(production.json.deployment).toMatchObject({
      commit: MAIN_SHA,
      github: { repository: REPO, commit: MAIN_SHA, installationId: 4242 },
    });
    expect(production.json.deployment.executionArn).toContain('shop--build-deploy--');
    const preview = await harness.call('GET', `/projects/shop-release/deployments/${result.json.deliveries[1].deploymentId}`);
    expect(preview.json.deployment).toMatchObject({ preview: 'main', commit: MAIN_SHA });
    expect(await pushItems('shop-new')).toHaveLength(0);
  });

  it("honours a project's own production branch", async () => {
    const result = await deliver('push', push('refs/heads/release', MAIN_SHA));
    expect(result.json.deliveries).toEqual([
      { project: 'shop', kind: 'preview', alias: 'release', branch: 'release', commit: MAIN_SHA, deploymentId: expect.any(String) },
      { project: 'shop-release', kind: 'production', branch: 'release', commit: MAIN_SHA, deploymentId: expect.any(String) },
    ]);
  });

  it('deploys a push to another branch as a preview with a sanitized alias', async () => {
    const result = await deliver('push', push('refs/heads/feature/Foo_Bar!!', FEATURE_SHA));
    expect(result.status).toBe(202);
    expect(result.json.deliveries[0]).toEqual({
      project: 'shop',
      kind: 'preview',
      alias: 'feature-foo-bar',
      branch: 'feature/Foo_Bar!!',
      commit: FEATURE_SHA,
      deploymentId: expect.any(String),
    });
    const items = await pushItems('shop');
    expect(items.find((item) => item.sk === `PUSH#${result.delivery}`)).toMatchObject({
      kind: 'preview',
      alias: 'feature-foo-bar',
      status: 'STARTED',
    });
  });

  it('ignores tag pushes and branch deletions, recording nothing', async () => {
    const before = (await pushItems('shop')).length;
    const tag = await deliver('push', push('refs/tags/v1.0.0', MAIN_SHA));
    expect(tag.status).toBe(202);
    expect(tag.json).toEqual({ ignored: 'tag push' });
    const deletion = await deliver('push', push('refs/heads/old-feature', '0'.repeat(40), { deleted: true }));
    expect(deletion.json).toEqual({ ignored: 'branch deletion' });
    expect(await pushItems('shop')).toHaveLength(before);
  });

  it('ignores a repeated delivery id: the second copy changes nothing', async () => {
    const delivery = randomUUID();
    const payload = push('refs/heads/replayed', FEATURE_SHA);
    const first = await deliver('push', payload, { delivery });
    expect(first.status).toBe(202);
    const after = (await pushItems('shop')).length;
    const second = await deliver('push', payload, { delivery });
    expect(second.status).toBe(200);
    expect(second.json).toEqual({ ignored: 'duplicate delivery' });
    expect(await pushItems('shop')).toHaveLength(after);
    // The id is claimed whatever the event: a second ping with it is ignored too.
    expect((await deliver('ping', { zen: 'x' }, { delivery: delivery.toUpperCase() })).json).toEqual({ ignored: 'duplicate delivery' });
    const marker = await dynamoClient().send(
      new GetCommand({ TableName: DEFAULT_NAMES.table, Key: { pk: `WEBHOOK#${delivery}`, sk: 'DELIVERY' }, ConsistentRead: true }),
    );
    const expiresAt = marker.Item?.expiresAt as number;
    expect(expiresAt - Date.now() / 1000).toBeGreaterThan(7 * 24 * 3600 - 120);
    expect(expiresAt - Date.now() / 1000).toBeLessThanOrEqual(7 * 24 * 3600);
  });

  it('finds linked projects whatever the case of the repository name', async () => {
    expect((await findProjectsByRepository('octo-org/SHOP-front')).map((p) => p.name)).toEqual(['shop', 'shop-new', 'shop-release']);
    expect(await findProjectsByRepository('octo-org/other')).toEqual([]);
  });
});

describe('branch rules (pure)', () => {
  const facts = (ref: string, extra: Partial<PushFacts> = {}): PushFacts => ({
    ref,
    after: MAIN_SHA,
    deleted: false,
    defaultBranch: 'main',
    ...extra,
  });
  const ready = (name: string, productionBranch?: string) => ({ name, status: 'READY', ...(productionBranch ? { productionBranch } : {}) });

  it('sanitizes branch names into DNS-label-safe aliases', () => {
    expect(previewAlias('feature/Foo_Bar!!')).toBe('feature-foo-bar');
    expect(previewAlias('--Hello--World--')).toBe('hello-world');
    expect(previewAlias('dependabot/npm_and_yarn/vite-5.0.1')).toMatch(/^dependabot-npm-and-yarn-[0-9a-f]{6}$/);
    expect(previewAlias('')).toBe('preview');
    expect(previewAlias('!!!')).toBe('preview');
    expect(previewAlias('ünïcødé')).toBe('n-c-d');
  });

  it('truncates long names to 30 characters, keeping long branches with one prefix apart', () => {
    const a = previewAlias(`feature/${'x'.repeat(60)}-a`);
    const b = previewAlias(`feature/${'x'.repeat(60)}-b`);
    for (const alias of [a, b]) {
      expect(alias.length).toBeLessThanOrEqual(MAX_ALIAS_LENGTH);
      expect(alias).toMatch(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/);
    }
    expect(a).not.toBe(b);
    expect(previewAlias('a'.repeat(30))).toBe('a'.repeat(30));
    expect(previewAlias('a-'.repeat(40)).length).toBeLessThanOrEqual(MAX_ALIAS_LENGTH);
  });

  it('keeps `<project>--<alias>` within one DNS label for long project names', () => {
    const project = `p${'x'.repeat(39)}`;
    const alias = previewAlias('some-rather-long-feature-branch-name', project);
    expect(`${project}--${alias}`.length).toBeLessThanOrEqual(63);
    expect(alias).toMatch(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/);
  });

  it('decides production, preview, and what to ignore', () => {
    expect(decidePush(facts('refs/heads/main'), [ready('a')])).toEqual({
      decisions: [{ project: 'a', kind: 'production', branch: 'main', commit: MAIN_SHA }],
      skipped: [],
    });
    expect(decidePush(facts('refs/heads/main'), [ready('a', 'prod')])).toMatchObject({ decisions: [{ kind: 'preview', alias: 'main' }] });
    expect(decidePush(facts('refs/heads/prod'), [ready('a', 'prod')])).toMatchObject({ decisions: [{ kind: 'production' }] });
    expect(decidePush(facts('refs/tags/v1'), [ready('a')])).toEqual({ ignored: 'tag push' });
    expect(decidePush(facts('refs/heads/x', { deleted: true }), [ready('a')])).toEqual({ ignored: 'branch deletion' });
    expect(pushedBranch(facts('refs/pull/1/merge'))).toEqual({ ignored: 'ref refs/pull/1/merge is not a branch' });
    expect(pushedBranch(facts('refs/heads/'))).toEqual({ ignored: 'ref refs/heads/ is not a branch' });
    expect(decidePush(facts('refs/heads/main'), [{ name: 'b', status: 'DELETING' }])).toEqual({
      decisions: [],
      skipped: [{ project: 'b', reason: 'project is DELETING, not READY' }],
    });
  });
});
