import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { freePort } from '../../bench/lib/free-port.js';
import { type PlatformChild, startPlatformChild } from '../../bench/lib/platform-child.js';
import { type Deployment, DeployFailed, deployDirectory } from '../../cli/deploy.js';
import { packageRoot } from '../../infra/package-root.js';
import { launchChromium, signIn } from './support/browser.js';
import { waitForHydration } from './support/page-checks.js';

/**
 * `npm run screenshots`: the dashboard's main pages as PNGs in docs/screenshots/, taken from a real
 * platform in a temporary home with examples/hello deployed, then a broken copy of it (photographed
 * while its Build runs, and once it failed). A developer tool, run with tsx; not part of the suite.
 * A page that does not answer 200 is reported and makes the exit code 1; the others are written.
 */
const PROJECT = 'hello';
const VIEWPORT = { width: 1280, height: 800 };
const OUT_DIR = join(packageRoot(), 'docs', 'screenshots');

const log = (line: string) => process.stderr.write(`screenshots: ${line}\n`);

/** 8080, the port `npm start` uses, when it is free: the pictures then show the URLs a reader gets; any free port otherwise. */
function screenshotPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(freePort()));
    server.listen(8080, '127.0.0.1', () => server.close(() => resolve(8080)));
  });
}

/** The deployment view shows a line of the build runner's own log (each starts `slipway: `). */
const buildLogShown = (page: Page) =>
  page
    .getByText(/^slipway: /)
    .first()
    .waitFor({ timeout: 15_000 });

/** The 1-based number of the first line of a deployment's build log that matches, if any. */
async function firstLineMatching(api: PlatformChild['api'], id: string, pattern: RegExp): Promise<number | undefined> {
  let text = '';
  let cursor: string | null = null;
  for (;;) {
    const query: string = cursor === null ? '' : `?cursor=${encodeURIComponent(cursor)}`;
    const page = await api.request<{ text: string; cursor: string | null; done: boolean }>(
      'GET',
      `/projects/${PROJECT}/deployments/${id}/logs${query}`,
    );
    text += page.text;
    if (page.done || page.cursor === cursor) break;
    cursor = page.cursor;
  }
  const index = text.split('\n').findIndex((line) => pattern.test(line));
  return index < 0 ? undefined : index + 1;
}

/** A copy of the example whose vite build fails on a syntax error, after its install: a Build long enough to photograph. */
function brokenCopy(example: string, into: string): void {
  cpSync(example, into, { recursive: true, filter: (source) => !/[/\\](node_modules|\.svelte-kit|build)([/\\]|$)/.test(source) });
  writeFileSync(join(into, 'src', 'lib', 'greeting.ts'), "export const GREETING = 'unfinished;\n");
}

async function main(): Promise<number> {
  const example = join(packageRoot(), 'examples', 'hello');
  const home = mkdtempSync(join(tmpdir(), 'slipway-screenshots-'));
  const broken = mkdtempSync(join(tmpdir(), 'slipway-screenshots-broken-'));
  brokenCopy(example, broken);
  mkdirSync(OUT_DIR, { recursive: true });
  const port = await screenshotPort();
  const platform = await startPlatformChild(home, port, log);
  const browser = await launchChromium();
  const failed: string[] = [];
  try {
    const origin = `http://localhost:${port}`;
    const context = await browser.newContext({ viewport: VIEWPORT, colorScheme: 'light' });
    const page = await context.newPage();
    const token = readFileSync(join(home, 'admin.token'), 'utf8').trim();
    await signIn(page, origin, token);

    /** Photographs `path` once `ready` (the page's own sign that it shows what the picture is of) holds. */
    const shoot = async (name: string, path: string, ready: (page: Page) => Promise<unknown> = async () => {}) => {
      const response = await page.goto(`${origin}${path}`);
      const status = response?.status() ?? 0;
      if (status !== 200) {
        failed.push(`${name} (${path}): HTTP ${status}`);
        log(`${name}: ${path} answered ${status}; not written`);
        return;
      }
      try {
        await waitForHydration(page);
        await ready(page);
      } catch (error) {
        failed.push(`${name} (${path}): ${(error as Error).message.split('\n')[0]}`);
        log(`${name}: ${path} never showed what the picture is of; not written`);
        return;
      }
      const file = join(OUT_DIR, `${name}.png`);
      await page.screenshot({ path: file, fullPage: false });
      log(`${name}: ${path} → docs/screenshots/${name}.png (${(statSync(file).size / 1024).toFixed(0)} KB)`);
    };

    log(`deploying examples/hello as ${PROJECT}`);
    const live = await deployDirectory(platform.api, { dir: example, project: PROJECT });
    log(`deployment ${live.id} is ${live.status}`);
    await shoot('projects', '/');

    log('deploying a broken copy: the picture of its Build is taken while it runs');
    let building: () => void = () => {};
    const inBuild = new Promise<void>((resolve) => (building = resolve));
    let sawLog = false;
    let inBuildState = false;
    const whenBoth = () => sawLog && inBuildState && building();
    const brokenDeploy: Promise<Deployment | undefined> = deployDirectory(platform.api, {
      dir: broken,
      project: PROJECT,
      onLog: () => {
        sawLog = true;
        whenBoth();
      },
      onState: (state) => {
        inBuildState = /build/i.test(state);
        whenBoth();
      },
    }).then(
      () => {
        throw new Error('the broken copy deployed: it was meant to fail its build');
      },
      (error: unknown) => {
        if (error instanceof DeployFailed) return error.deployment;
        throw error;
      },
    );
    await Promise.race([inBuild, brokenDeploy]);
    if (!sawLog || !inBuildState) log('the broken build ended before it was seen running: the "live" picture shows it ended');
    const { deployments } = await platform.api.request<{ deployments: Deployment[] }>('GET', `/projects/${PROJECT}/deployments`);
    const running = deployments[0];
    if (!running || running.id === live.id) throw new Error('the broken deployment is not listed');
    // The view streams while Build runs: photographed once the log shows a line of this build.
    await shoot('deployment-live', `/projects/${PROJECT}/deployments/${running.id}`, buildLogShown);
    const failedDeployment = await brokenDeploy;
    log(`deployment ${failedDeployment?.id} failed in ${failedDeployment?.failedState ?? 'an unnamed state'}`);
    // Opened at the log's line link of the build's error: the picture shows what a user reads first,
    // not the stack trace after it (which names the temporary folder this script built in).
    await page.goto('about:blank'); // the same path again with a hash would not load the page anew
    const errorLine = await firstLineMatching(platform.api, running.id, /error during build/i);
    await shoot('deployment-failed', `/projects/${PROJECT}/deployments/${running.id}${errorLine ? `#L${errorLine}` : ''}`, buildLogShown);
    await shoot('settings', `/projects/${PROJECT}/settings`);
    await shoot('admin-executions', '/admin/executions');
    await context.close();
  } finally {
    await browser.close();
    await platform.close();
    rmSync(home, { recursive: true, force: true });
    rmSync(broken, { recursive: true, force: true });
  }
  if (failed.length > 0) {
    log(`these pages could not be photographed:\n  ${failed.join('\n  ')}`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
