import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostRequest } from '../support/http.js';
import { copyExampleApp, ROOT, runCli, startPlatformProcess, type PlatformProcess } from '../support/platform-process.js';

/**
 * The acceptance path, end to end and through the real pieces: `slipway up` in a child process,
 * `slipway deploy` of the example app through the CLI (real npm install, real vite build in the
 * bubblewrap sandbox), and requests through the edge with the tenant's Host header.
 */
/** What the first deployment's page says. */
const FIRST_GREETING = 'Hello from the first deploy';
let home: string;
let app: string;
let platform: PlatformProcess;
let port: number;

const cli = (args: string[]) => runCli(home, args);

const tenant = (path: string, init: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {}) =>
  hostRequest({ port, host: `demo.localhost:${port}`, path, ...init });

function setGreeting(text: string): void {
  writeFileSync(join(app, 'src', 'lib', 'greeting.ts'), `export const GREETING = '${text}';\n`);
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'slipway-e2e-home-'));
  app = mkdtempSync(join(tmpdir(), 'slipway-e2e-app-'));
  copyExampleApp(join(ROOT, 'examples', 'hello'), app);
  platform = await startPlatformProcess(home);
  port = platform.port;
});

afterAll(async () => {
  await platform?.stop();
  rmSync(home, { recursive: true, force: true });
  rmSync(app, { recursive: true, force: true });
});

describe('slipway deploy, end to end', () => {
  it('makes the example app live and prints its URL', { timeout: 600_000 }, async () => {
    setGreeting('Hello from the first deploy');
    const result = await cli(['deploy', app, '--project', 'demo']);
    expect(result.code, `${result.stdout}\n${result.stderr}\n${platform.output()}`).toBe(0);
    expect(result.stdout).toContain(`http://demo.localhost:${port}/`);
    expect(result.stdout).toMatch(/slipway: building|vite/);
    // The platform's own log: a line per transition, plain (its output is a pipe here).
    const id = /deployment (d-[a-z0-9-]+) is live/.exec(result.stdout)?.[1] as string;
    await platform.waitForOutput(
      new RegExp(`^\\d\\d:\\d\\d:\\d\\d demo ${id} LIVE http://demo\\.localhost:${port}/ \\(\\d+\\.\\d s\\)$`, 'm'),
    );
    const transitions = platform
      .output()
      .split('\n')
      .filter((line) => line.includes(` demo ${id} `));
    expect(transitions.map((line) => line.split(' ')[3])).toEqual(['QUEUED', 'BUILDING', 'LIVE']);
    expect(platform.output()).not.toContain('\u001b[');
  });

  it('serves the SSR page with its load function', async () => {
    const page = await tenant('/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toContain('Hello from the first deploy');
  });

  it('serves the prerendered page from the bucket', async () => {
    const about = await tenant('/about');
    expect(about.status).toBe(200);
    expect(about.headers['content-type']).toMatch(/^text\/html/);
    expect(about.text).toContain('About Slipway');
    expect(about.headers['cache-control']).toBe('public, max-age=0, must-revalidate');
  });

  it('serves the static file and immutable assets with a one-year cache', async () => {
    const robots = await tenant('/robots.txt');
    expect(robots.status).toBe(200);
    expect(robots.text).toContain('User-agent: *');
    const html = (await tenant('/')).text;
    const asset = /\/_app\/immutable\/[^"']+\.js/.exec(html)?.[0];
    expect(asset).toBeDefined();
    const script = await tenant(asset as string);
    expect(script.status).toBe(200);
    expect(script.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(script.headers['content-type']).toMatch(/javascript/);
  });

  it('answers the +server.ts endpoint with its headers, and binary bodies arrive intact', async () => {
    const get = await tenant('/api/hello?name=ada');
    expect(get.status).toBe(200);
    expect(get.headers['x-hello']).toBe('1');
    expect(JSON.parse(get.text)).toMatchObject({ message: 'Hello from the first deploy', query: 'ada' });
    const bytes = Buffer.from(Array.from({ length: 4096 }, (_, i) => i % 256));
    const post = await tenant('/api/hello', { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: bytes });
    expect(JSON.parse(post.text)).toMatchObject({ length: 4096, contentType: 'application/octet-stream' });
  });

  it('runs the form action, passes the origin check and sets both cookies', async () => {
    const origin = `http://demo.localhost:${port}`;
    const post = await tenant('/login', {
      method: 'POST',
      headers: { origin, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
      body: 'name=ada',
    });
    expect(post.status).toBe(303);
    expect(post.headers.location).toBe('/');
    const cookies = post.headers['set-cookie'] ?? [];
    expect(cookies.some((c) => c.startsWith('visitor=ada'))).toBe(true);
    expect(cookies.some((c) => c.startsWith('session-started='))).toBe(true);
    const page = await tenant('/', { headers: { cookie: 'visitor=ada' } });
    expect(page.text).toContain('ada');
    const forged = await tenant('/login', {
      method: 'POST',
      headers: { origin: 'http://evil.example', accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
      body: 'name=x',
    });
    expect(forged.status).toBe(403);
  });

  it('deploys a SvelteKit 3 app (config in the Vite config, adapter-node named) unchanged', { timeout: 600_000 }, async () => {
    const result = await cli(['deploy', join(ROOT, 'examples', 'hello-kit3'), '--project', 'kitthree']);
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(result.stdout).toContain('Using @slipway/adapter');
    const kit3 = (path: string) => hostRequest({ port, host: `kitthree.localhost:${port}`, path });
    const page = await kit3('/');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Hello from Slipway');
    const about = await kit3('/about');
    expect(about.status).toBe(200);
    expect(about.headers['cache-control']).toBe('public, max-age=0, must-revalidate');
    expect(JSON.parse((await kit3('/api/hello?name=kit3')).text)).toMatchObject({ query: 'kit3' });
  });

  it('answers unknown hosts and projects with a clear 404', async () => {
    const unknownProject = await hostRequest({ port, host: `nosuch.localhost:${port}`, path: '/' });
    expect(unknownProject.status).toBe(404);
    const unknownHost = await hostRequest({ port, host: 'example.com', path: '/' });
    expect(unknownHost.status).toBe(404);
    expect(unknownHost.text).toContain('example.com');
  });

  it('deploys a changed version and serves the change', { timeout: 600_000 }, async () => {
    setGreeting('Hello from the second deploy');
    const result = await cli(['deploy', app, '--project', 'demo']);
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect((await tenant('/')).text).toContain('Hello from the second deploy');
  });

  it('fails a broken build with the failing state, and the previous version keeps serving', { timeout: 600_000 }, async () => {
    writeFileSync(join(app, 'src', 'routes', '+page.svelte'), '<h1>{broken</h1>\n<script>let x = ;</script>\n');
    const result = await cli(['deploy', app, '--project', 'demo']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('failed in state "Build"');
    expect(result.stderr).toContain('build failed');
    const page = await tenant('/');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Hello from the second deploy');

    const listed = await cli(['deployments', '--project', 'demo', '--json']);
    const deployments = (JSON.parse(listed.stdout) as { deployments: Array<{ status: string; current: boolean }> }).deployments;
    expect(deployments.map((d) => d.status)).toEqual(['FAILED', 'LIVE', 'LIVE']);
    expect(deployments.findIndex((d) => d.current)).toBe(1);
    const failedId = (deployments[0] as unknown as { id: string }).id;
    await platform.waitForOutput(
      new RegExp(`^\\d\\d:\\d\\d:\\d\\d demo ${failedId} FAILED Build: .*build failed.* \\(\\d+\\.\\d s\\)$`, 'm'),
    );
    const executions = await cli(['executions', '--status', 'FAILED']);
    expect(executions.stdout).toContain('demo--build-deploy--');
  });

  it('deploys a changed copy as preview feature-x at its own URL; production keeps serving its version', { timeout: 600_000 }, async () => {
    cpSync(join(ROOT, 'examples', 'hello', 'src', 'routes', '+page.svelte'), join(app, 'src', 'routes', '+page.svelte'));
    setGreeting('Hello from the preview');
    const result = await cli(['deploy', app, '--project', 'demo', '--preview', 'feature-x']);
    expect(result.code, `${result.stdout}\n${result.stderr}\n${platform.output()}`).toBe(0);
    expect(result.stdout).toContain(`http://demo--feature-x.localhost:${port}/`);

    // The SSR page comes from each deployment's own server function; /about from each one's prefix.
    const preview = (path: string) => hostRequest({ port, host: `demo--feature-x.localhost:${port}`, path });
    const previewPage = await preview('/');
    expect(previewPage.status).toBe(200);
    expect(previewPage.text).toContain('Hello from the preview');
    expect((await preview('/about')).text).toContain('About Slipway');
    const production = await tenant('/');
    expect(production.text).toContain('Hello from the second deploy');
    expect(production.text).not.toContain('Hello from the preview');

    const listed = await cli(['deployments', '--project', 'demo']);
    // The preview's row says its alias answers with it: PREVIEW, ID, CREATED, PREVIEW (alias).
    expect(listed.stdout).toMatch(/^PREVIEW\s+\S+\s+\S+\s+feature-x\s/m);
    const unknown = await hostRequest({ port, host: `demo--nope.localhost:${port}`, path: '/' });
    expect(unknown.status).toBe(404);
  });

  it('rolls back to the first deployment without a rebuild, and serves it again', { timeout: 300_000 }, async () => {
    const listed = await cli(['deployments', '--project', 'demo', '--json']);
    const deployments = (JSON.parse(listed.stdout) as { deployments: Array<{ id: string; status: string; preview?: string }> }).deployments;
    const first = deployments.filter((d) => d.status === 'LIVE' && !d.preview).at(-1) as { id: string };
    const result = await cli(['rollback', '--project', 'demo', '--to', first.id]);
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    const page = await tenant('/');
    expect(page.text).toContain(FIRST_GREETING);
    expect(page.text).not.toContain('Hello from the second deploy');
    // No build ran: the newest build-and-deploy execution is still the preview's.
    const after = JSON.parse((await cli(['deployments', '--project', 'demo', '--json'])).stdout) as { deployments: Array<{ id: string }> };
    expect(after.deployments.length).toBe(deployments.length);
    await platform.waitForOutput(new RegExp(`^\\d\\d:\\d\\d:\\d\\d demo ${first.id} ROLLING BACK$`, 'm'));
    await platform.waitForOutput(
      new RegExp(`^\\d\\d:\\d\\d:\\d\\d demo ${first.id} ROLLED BACK http://demo\\.localhost:${port}/ \\(\\d+\\.\\d s\\)$`, 'm'),
    );
  });

  it('lets an admin retry a deployment whose build was killed (a transient fault), and it goes live', { timeout: 600_000 }, async () => {
    setGreeting('Hello after a retry');
    const deploying = cli(['deploy', app, '--project', 'demo']);
    // Wait for the build's sandbox, then kill it as a lost build host would be lost.
    let killed = false;
    for (let i = 0; i < 600 && !killed; i++) {
      await new Promise((r) => setTimeout(r, 200));
      const listed = JSON.parse((await cli(['deployments', '--project', 'demo', '--json'])).stdout) as {
        deployments: Array<{ id: string; status: string }>;
      };
      const newest = listed.deployments[0];
      if (newest?.status !== 'BUILDING') continue;
      const found = spawnSync('pgrep', ['-f', `SLIPWAY_BUILD_ID ${newest.id}`], { encoding: 'utf8' })
        .stdout.trim()
        .split('\n')
        .filter(Boolean);
      for (const pid of found) {
        try {
          process.kill(-Number(pid), 'SIGKILL');
          killed = true;
        } catch {
          // not a group leader (a child of the sandbox): the leader is in the list too
        }
      }
    }
    expect(killed, 'the build sandbox was found and killed').toBe(true);
    const failed = await deploying;
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toContain('failed in state "Build"');
    expect((await tenant('/')).text).toContain(FIRST_GREETING);

    const executions = JSON.parse((await cli(['executions', '--status', 'FAILED', '--json'])).stdout) as {
      executions: Array<{ name: string; startDate: string }>;
    };
    const newestFailed = executions.executions
      .filter((e) => e.name.startsWith('demo--build-deploy--'))
      .sort((a, b) => b.startDate.localeCompare(a.startDate))[0] as { name: string };
    const retried = await cli(['admin', 'retry', newestFailed.name, '--follow']);
    expect(retried.code, `${retried.stdout}\n${retried.stderr}`).toBe(0);
    expect((await tenant('/')).text).toContain('Hello after a retry');
  });

  it("restarted, says where it runs and lists what is live instead of the first start's banner", { timeout: 120_000 }, async () => {
    expect(platform.output()).toContain('deploy an app:');
    const listed = JSON.parse((await cli(['deployments', '--project', 'demo', '--json'])).stdout) as {
      deployments: Array<{ id: string; current: boolean }>;
    };
    const live = listed.deployments.find((d) => d.current) as { id: string };
    await platform.stop();
    platform = await startPlatformProcess(home);
    port = platform.port;
    await platform.waitForOutput(new RegExp(`^  live  demo +${live.id}  http://demo\\.localhost:${port}/$`, 'm'));
    expect(platform.output()).toContain(
      `slipway: platform running at http://localhost:${port}/ (API http://localhost:${port}/api/v1, state in ${home})`,
    );
    expect(platform.output()).not.toContain('deploy an app:');
  });
});
