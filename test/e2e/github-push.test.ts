import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { sign } from '@octokit/webhooks-methods';
import * as tar from 'tar';
import { hostRequest } from '../support/http.js';
import { startGithubServer, type GithubTestServer } from '../support/github-server.js';
import { ROOT, startPlatformProcess, type PlatformProcess } from '../support/platform-process.js';

/**
 * A signed push webhook for the example app, end to end: `slipway up` in a child process with a
 * GitHub App configured against the test GitHub, which serves examples/hello (without
 * node_modules) as the commit's tarball; the deployment builds for real and is fetched through the edge.
 */
const EXAMPLE = join(ROOT, 'examples', 'hello');
const SHA = 'f0'.repeat(20);
const SECRET = 'e2e-webhook-secret-0123456789';
let home: string;
let platform: PlatformProcess;
let port: number;
let token: string;
let github: GithubTestServer;

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, any> }> {
  const response = await fetch(`http://localhost:${port}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, any> };
}

async function webhook(event: string, payload: unknown) {
  const body = JSON.stringify(payload);
  const response = await fetch(`http://localhost:${port}/api/v1/webhooks/github`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-github-event': event,
      'x-github-delivery': randomUUID(),
      'x-hub-signature-256': await sign(SECRET, body),
    },
    body,
  });
  return { status: response.status, json: (await response.json()) as Record<string, any> };
}

async function exampleTarball(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const stream = tar.c(
    {
      gzip: true,
      cwd: EXAMPLE,
      portable: true,
      prefix: `octo-hello-${SHA.slice(0, 7)}`,
      filter: (path) => !/(^|\/)(node_modules|\.svelte-kit|build|\.slipway-build)(\/|$)/.test(path),
    },
    ['.'],
  );
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'slipway-e2e-gh-'));
  github = await startGithubServer();
  github.tarballs.set(`octo/hello@${SHA}`, await exampleTarball());
  const secretFile = join(home, 'github-webhook.secret');
  writeFileSync(secretFile, SECRET, { mode: 0o600 });
  const env = { ...process.env, ...github.environment(home), SLIPWAY_HOME: home, SLIPWAY_GITHUB_WEBHOOK_SECRET_FILE: secretFile };
  platform = await startPlatformProcess(home, env);
  port = platform.port;
  token = readFileSync(join(home, 'admin.token'), 'utf8').trim();
}, 120_000);

afterAll(async () => {
  await platform?.stop();
  await github?.close();
  rmSync(home, { recursive: true, force: true });
});

describe('a signed push webhook, end to end', () => {
  it('deploys the pushed commit of a linked repository and serves it through the edge', { timeout: 600_000 }, async () => {
    expect((await api('POST', '/projects', { name: 'hello' })).status).toBe(202);
    for (let i = 0; i < 600 && (await api('GET', '/projects/hello')).json.project.status === 'CREATING'; i++)
      await new Promise((r) => setTimeout(r, 200));
    expect(
      (
        await webhook('installation', {
          action: 'created',
          installation: { id: 5, account: { login: 'admin' } },
          repositories: [{ full_name: 'octo/hello' }],
        })
      ).status,
    ).toBe(202);
    expect((await api('PUT', '/projects/hello/repository', { repository: 'octo/hello' })).status).toBe(200);

    const pushed = await webhook('push', {
      ref: 'refs/heads/main',
      after: SHA,
      deleted: false,
      repository: { full_name: 'octo/hello', default_branch: 'main' },
      installation: { id: 5 },
    });
    expect(pushed.status, JSON.stringify(pushed.json)).toBe(202);
    const id = pushed.json.deliveries[0].deploymentId as string;
    let deployment: Record<string, any> = {};
    for (let i = 0; i < 1200; i++) {
      deployment = (await api('GET', `/projects/hello/deployments/${id}`)).json.deployment;
      if (['LIVE', 'FAILED'].includes(deployment.status)) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(deployment.status, `${JSON.stringify(deployment)}\n${platform.output().slice(-4000)}`).toBe('LIVE');
    const page = await hostRequest({ port, host: `hello.localhost:${port}`, path: '/' });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    const served = github.calls.find((c) => c.path === `/repos/octo/hello/tarball/${SHA}`);
    expect(served?.authorization).toMatch(/^token ghs_/);
  });
});
