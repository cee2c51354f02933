import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { list } from 'tar';
import { serve, type ServerType } from '@hono/node-server';
import { createReadyProject, startApiHarness, TOKEN, type ApiHarness } from '../api/support/api-harness.js';

/**
 * The control-plane verbs of the CLI against the API (served over HTTP from the API harness):
 * each verb reaches its route, and --json prints what the API answered.
 */
const CLI = join(resolve(import.meta.dirname, '..', '..'), 'bin', 'slipway.js');
let harness: ApiHarness;
let server: ServerType;
let apiUrl: string;

beforeAll(async () => {
  harness = await startApiHarness();
  server = serve({ fetch: harness.app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((r) => server.once('listening', () => r()));
  apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
  await createReadyProject(harness, 'clisite');
}, 60_000);

afterAll(async () => {
  await new Promise<void>((r) => server?.close(() => r()));
  await harness?.close();
});

function cli(args: string[], token = TOKEN, stdin?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, SLIPWAY_API_URL: apiUrl, SLIPWAY_TOKEN: token },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.stdin.end(stdin ?? '');
    child.on('close', (code) => done({ code: code ?? -1, stdout, stderr }));
  });
}

const json = async (args: string[], token?: string) => {
  const result = await cli([...args, '--json'], token);
  expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
  return JSON.parse(result.stdout) as Record<string, any>;
};

describe('CLI control-plane verbs', () => {
  it('creates a user, issues their token (shown once), and the token works for whoami and tokens', async () => {
    expect((await json(['whoami'])).via).toBe('admin-token');
    expect((await json(['admin', 'users', 'create', 'cli-user', '--role', 'user'])).user).toMatchObject({
      login: 'cli-user',
      roles: ['user'],
    });
    const issued = await json(['admin', 'users', 'token', 'cli-user', '--label', 'laptop']);
    expect(issued.token).toMatch(/^slw_/);
    expect(await json(['whoami'], issued.token)).toMatchObject({ user: 'cli-user', roles: ['user'], via: 'api-token' });
    expect((await json(['tokens'], issued.token)).tokens).toHaveLength(1);
    expect((await json(['admin', 'users', 'roles', 'cli-user', '--role', 'user', '--role', 'support'])).user.roles).toEqual([
      'user',
      'support',
    ]);
    expect((await json(['admin', 'users'])).users.map((u: any) => u.login)).toContain('cli-user');
    // A user without the permission gets the API's refusal, exit code 1.
    const refused = await cli(['admin', 'users', 'create', 'nope'], issued.token);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('users:write');
  });

  it('sets variables and secrets (a secret read from stdin, never printed back), settings and domains', async () => {
    const secret = await cli(['env', 'set', 'API_KEY', '-', '--secret', '--project', 'clisite', '--json'], TOKEN, 'cli-secret-value-123');
    expect(secret.code, secret.stderr).toBe(0);
    expect(secret.stdout).not.toContain('cli-secret-value-123');
    expect((await json(['env', 'set', 'PUBLIC_X', 'shown', '--project', 'clisite'])).variable).toMatchObject({
      key: 'PUBLIC_X',
      value: 'shown',
    });
    const listed = await cli(['env', 'list', '--project', 'clisite']);
    expect(listed.stdout).toContain('API_KEY');
    expect(listed.stdout).not.toContain('cli-secret-value-123');
    expect((await json(['settings', '--project', 'clisite', '--build-command', 'npm run build:site'])).settings).toMatchObject({
      buildCommand: 'npm run build:site',
    });
    const added = await cli(['domains', 'add', 'cli.example.com', '--project', 'clisite']);
    expect(added.code, added.stderr).toBe(0);
    const record = /_slipway-challenge\.cli\.example\.com {2}TXT {2}"(slipway-verify=[0-9a-f]{32})"/.exec(added.stdout);
    expect(record, added.stdout).not.toBeNull();
    const pending = await cli(['domains', 'verify', 'cli.example.com', '--project', 'clisite']);
    expect(pending.code).toBe(1);
    expect(pending.stdout).toContain('still PENDING');
    harness.aws.platform.txtResolver = { resolveTxt: async (name) => (name === '_slipway-challenge.cli.example.com' ? [record![1]!] : []) };
    const verified = await cli(['domains', 'verify', 'cli.example.com', '--project', 'clisite']);
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stdout).toContain('VERIFIED');
    expect((await json(['domains', 'list', '--project', 'clisite'])).domains).toMatchObject([
      { domain: 'cli.example.com', status: 'VERIFIED', certificate: 'none' },
    ]);
    // A local platform needs no certificate and names no CNAME target.
    const domains = await cli(['domains', 'list', '--project', 'clisite']);
    expect(domains.stdout).toContain('  https certificate: none');
    expect(domains.stdout).not.toContain('CNAME');
    const bad = await cli(['env', 'set', 'AWS_REGION', 'x', '--project', 'clisite']);
    expect(bad.code).toBe(1);
    // The API's field (path.key) in the CLI's words: the KEY argument.
    expect(bad.stderr).toMatch(/^slipway: KEY /);
  });

  it('shows limits and manages subscriptions', async () => {
    expect((await json(['limits'])).subscription).toBe('operator');
    const subscriptions = (await json(['admin', 'subscriptions'])).subscriptions.map((s: any) => s.name);
    expect(subscriptions).toEqual(expect.arrayContaining(['free', 'pro', 'operator']));
    expect((await json(['admin', 'subscription', 'cli-user', 'pro'])).subscription.name).toBe('pro');
  });
});

describe('CLI deploy', () => {
  it('uploads the workspace root of a workspace package, names the app folder, and says what it left out', async () => {
    const top = await mkdtemp(join(tmpdir(), 'slipway-cli-ws-'));
    const files: Record<string, string> = {
      'package.json': '{"name":"mono","private":true,"workspaces":["apps/*"]}',
      'package-lock.json': '{}',
      '.gitignore': '/apps/web/.cache/\n',
      'apps/web/package.json': '{"name":"web","scripts":{"build":"vite build"},"devDependencies":{"@sveltejs/kit":"^2.0.0"}}',
      'apps/web/src/routes/build/+page.svelte': '<h1>build</h1>',
      'apps/web/.env': 'SECRET=not-for-upload',
      'apps/web/.cache/x': 'cache',
      'apps/web/node_modules/x/index.js': 'dependency',
    };
    try {
      for (const [path, body] of Object.entries(files)) {
        await mkdir(dirname(join(top, path)), { recursive: true });
        await writeFile(join(top, path), body);
      }
      const run = await cli(['deploy', join(top, 'apps', 'web'), '--project', 'clisite', '--json']);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toContain(`slipway: apps/web is a workspace package: uploading the workspace root ${top}`);
      expect(run.stderr).toContain('slipway: left out 3 entries: .env* (always), /apps/web/.cache/ (.gitignore), node_modules/ (always)');
      const { deployment } = JSON.parse(run.stdout) as { deployment: { rootDirectory?: string; source: { bucket: string; key: string } } };
      expect(deployment.rootDirectory).toBe('apps/web');

      const object = await harness.aws.s3.send(new GetObjectCommand({ Bucket: deployment.source.bucket, Key: deployment.source.key }));
      const archive = Buffer.from(await object.Body!.transformToByteArray());
      const paths: string[] = [];
      await new Promise<void>((done, fail) => {
        Readable.from(archive)
          .pipe(list({ onReadEntry: (entry) => paths.push(entry.path) }))
          .on('finish', done)
          .on('error', fail);
      });
      expect(paths.sort()).toEqual([
        '.gitignore',
        'apps/web/package.json',
        'apps/web/src/routes/build/+page.svelte',
        'package-lock.json',
        'package.json',
      ]);
    } finally {
      await rm(top, { recursive: true, force: true });
    }
  }, 60_000);
});
