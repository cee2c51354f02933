import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type RunningPlatform } from '../../infra/local/platform.js';
import { synthesizedOnce } from '../support/synthesized-once.js';

/** Two whole local platforms in this one process: configuration is an object per platform, not the environment. */
const homes: string[] = [];
let first: RunningPlatform;
let second: RunningPlatform;

async function start(): Promise<RunningPlatform> {
  const home = mkdtempSync(join(tmpdir(), 'slipway-two-'));
  homes.push(home);
  return startPlatform({ home, port: 0, workflows: await synthesizedOnce() });
}

const tokenOf = (platform: RunningPlatform) => readFileSync(platform.adminTokenFile, 'utf8').trim();

async function api(platform: RunningPlatform, method: string, path: string, token: string, body?: unknown) {
  const response = await fetch(`${platform.apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, json: (await response.json()) as Record<string, any> };
}

async function readyProject(platform: RunningPlatform, name: string): Promise<Record<string, any>> {
  const created = await api(platform, 'POST', '/projects', tokenOf(platform), { name });
  expect(created.status).toBe(202);
  for (let i = 0; i < 200; i++) {
    const { json } = await api(platform, 'GET', `/projects/${name}`, tokenOf(platform));
    if (json.project.status !== 'CREATING') return json.project;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${name} never left CREATING`);
}

beforeAll(async () => {
  first = await start();
  second = await start();
}, 120_000);

afterAll(async () => {
  await first?.close();
  await second?.close();
  for (const home of homes) rmSync(home, { recursive: true, force: true });
});

describe('two local platforms in one process', () => {
  it('listen apart and keep their own admin tokens', async () => {
    expect(first.port).not.toBe(second.port);
    expect(tokenOf(first)).not.toBe(tokenOf(second));
    expect((await api(first, 'GET', '/projects', tokenOf(first))).status).toBe(200);
    expect((await api(second, 'GET', '/projects', tokenOf(second))).status).toBe(200);
    // Each token works only on the platform that made it.
    expect((await api(first, 'GET', '/projects', tokenOf(second))).status).toBe(401);
    expect((await api(second, 'GET', '/projects', tokenOf(first))).status).toBe(401);
  });

  it('hold their own projects: each is created, run through its workflow and served by its own platform only', async () => {
    const alpha = await readyProject(first, 'alpha');
    const beta = await readyProject(second, 'beta');
    expect(alpha.status).toBe('READY');
    expect(beta.status).toBe('READY');
    // Each platform's tenant URLs name its own edge.
    expect(alpha.url).toBe(`http://alpha.localhost:${first.port}/`);
    expect(beta.url).toBe(`http://beta.localhost:${second.port}/`);

    expect((await api(second, 'GET', '/projects/alpha', tokenOf(second))).status).toBe(404);
    expect((await api(first, 'GET', '/projects/beta', tokenOf(first))).status).toBe(404);
    const names = async (platform: RunningPlatform) =>
      (await api(platform, 'GET', '/projects', tokenOf(platform))).json.projects.map((p: { name: string }) => p.name);
    expect(await names(first)).toEqual(['alpha']);
    expect(await names(second)).toEqual(['beta']);
  });
});
