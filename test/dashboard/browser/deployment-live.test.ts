import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyExampleApp, ROOT, runCli, type PlatformProcess } from '../../support/platform-process.js';
import { expectAccessible, pageErrors, signIn } from '../support/browser.js';
import { type DashboardPlatform, startDashboardPlatform } from '../support/dashboard-platform.js';

/**
 * A deployment watched in the dashboard as it runs: the real platform, `slipway deploy` of the
 * example app through the CLI, and headless Chromium on the deployment's page. Then a broken
 * version whose build prints 50,000 numbered lines before its Svelte syntax error fails it.
 */
const GREETING = 'Hello from the watched deploy';
const LOG_LINES = 50_000;

let dashboard: DashboardPlatform;
let home: string;
let app: string;
let broken: string;
let slow: string;
let platform: PlatformProcess;
let browser: Browser;
let origin: string;
let token: string;
let page: Page;
let errors: string[];
let liveId: string;

/** What the page showed, each time a state's status or the number of log lines changed. */
interface Snapshot {
  at: number;
  statuses: Record<string, string>;
  runs: Record<string, number>;
  lines: number;
}

async function api<T>(path: string): Promise<T> {
  const { status, json } = await dashboard.api('GET', path);
  expect(status, path).toBe(200);
  return json as T;
}

/** The id of the project's newest deployment other than `known`, once the CLI has started one. */
async function newDeployment(known: string[]): Promise<string> {
  let id: string | undefined;
  await expect
    .poll(
      async () => {
        const { deployments } = await api<{ deployments: Array<{ id: string }> }>('/projects/demo/deployments');
        id = deployments.find((d) => !known.includes(d.id))?.id;
        return id;
      },
      { timeout: 30_000, interval: 100 },
    )
    .toBeDefined();
  return id as string;
}

beforeAll(async () => {
  app = mkdtempSync(join(tmpdir(), 'slipway-dashboard-live-app-'));
  broken = mkdtempSync(join(tmpdir(), 'slipway-dashboard-live-broken-'));
  slow = mkdtempSync(join(tmpdir(), 'slipway-dashboard-live-slow-'));
  copyExampleApp(join(ROOT, 'examples', 'hello'), app);
  writeFileSync(join(app, 'src', 'lib', 'greeting.ts'), `export const GREETING = '${GREETING}';\n`);
  // The broken version: a build that writes a long log, then a page Svelte cannot compile.
  copyExampleApp(app, broken);
  const manifest = JSON.parse(readFileSync(join(broken, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  manifest.scripts.build = `node -e "for (let i = 1; i <= ${LOG_LINES}; i++) console.log('numbered line ' + i + ' of ${LOG_LINES}')" && vite build`;
  writeFileSync(join(broken, 'package.json'), JSON.stringify(manifest, null, 2));
  writeFileSync(join(broken, 'src', 'routes', '+page.svelte'), '<h1>{#if broken}</h1>\n');
  // The slow version: a build that prints a line every 50 ms for a minute, to be cancelled in the page.
  copyExampleApp(app, slow);
  const slowManifest = JSON.parse(readFileSync(join(slow, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  slowManifest.scripts.build = `node -e "let i = 0; const t = setInterval(() => { console.log('slow line ' + ++i); if (i === 1200) clearInterval(t); }, 50)" && vite build`;
  writeFileSync(join(slow, 'package.json'), JSON.stringify(slowManifest, null, 2));
  dashboard = await startDashboardPlatform('live');
  ({ home, platform, browser, origin } = dashboard);
  token = dashboard.adminToken;
  const created = await runCli(home, ['projects', 'create', 'demo']);
  expect(created.code, created.stderr).toBe(0);
  page = await browser.newPage();
  errors = pageErrors(page);
  await signIn(page, origin, token);
}, 120_000);

afterAll(async () => {
  await dashboard?.close();
  for (const dir of [app, broken, slow]) if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a deployment, live in the dashboard', () => {
  it('shows the states turn from running to succeeded in order, the log while Build runs, and links the live URL', {
    timeout: 120_000,
  }, async () => {
    // Before any page script runs: record every change of a state's status and of the log's length.
    await page.addInitScript(() => {
      const snapshots: Snapshot[] = [];
      (window as unknown as { snapshots: Snapshot[] }).snapshots = snapshots;
      let last = '';
      new MutationObserver(() => {
        const rows = [...document.querySelectorAll<HTMLElement>('table.states tr[data-state]')];
        const statuses = Object.fromEntries(rows.map((row) => [row.dataset.state, row.dataset.status]));
        const runs = Object.fromEntries(rows.map((row) => [row.dataset.state, Number(row.dataset.runs)]));
        const lines = document.querySelectorAll('.log .line').length;
        const key = `${JSON.stringify(statuses)}|${lines > 0}`;
        if (key === last) return;
        last = key;
        snapshots.push({ at: performance.now(), statuses, runs, lines });
      }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-status', 'data-runs'] });
    });
    const deploy = runCli(home, ['deploy', app, '--project', 'demo']);
    liveId = await newDeployment([]);
    await page.goto(`${origin}/projects/demo/deployments/${liveId}`);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toContain(liveId);

    // Mid-build: Build running, the page accessible.
    await page.locator('table.states tr[data-state="Build"][data-status="running"]').waitFor({ timeout: 60_000 });
    await expectAccessible(page, 'a deployment mid-build');

    const result = await deploy;
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    const liveUrl = page.getByTestId('live-url');
    await liveUrl.waitFor({ timeout: 30_000 });
    await page.locator('.log .state', { hasText: 'Ended (LIVE)' }).waitFor();
    await expect.poll(() => page.locator('h2#execution-heading').textContent()).toContain('SUCCEEDED');
    await expectAccessible(page, 'a deployment that went live');

    const snapshots = await page.evaluate(() => (window as unknown as { snapshots: Snapshot[] }).snapshots);
    const firstSeen = (state: string, status: string) => snapshots.find((s) => s.statuses[state] === status)?.at;
    // The workflow's order: the states as the execution ran them (each once; loops aside).
    const { execution } = await api<{ execution: { states: Array<{ name: string }> } }>(`/projects/demo/deployments/${liveId}/execution`);
    const final = snapshots.at(-1) as Snapshot;
    const order = [...new Set(execution.states.map((s) => s.name))].filter((name) => final.runs[name] === 1);
    expect(order).toContain('Build');
    expect(order.every((name) => final.statuses[name] === 'succeeded')).toBe(true);
    const succeededAt = order.map((name) => firstSeen(name, 'succeeded') as number);
    expect(succeededAt.every((at) => at !== undefined)).toBe(true);
    for (let i = 1; i < succeededAt.length; i++) expect(succeededAt[i], order[i]).toBeGreaterThanOrEqual(succeededAt[i - 1] as number);
    // Each state the page saw running, it saw running before it saw it succeed; Build among them.
    const seenRunning = order.filter((name) => firstSeen(name, 'running') !== undefined);
    expect(seenRunning).toContain('Build');
    for (const name of seenRunning) expect(firstSeen(name, 'running') as number, name).toBeLessThan(firstSeen(name, 'succeeded') as number);
    // Before that, every later state waited.
    const buildRunning = snapshots.find((s) => s.statuses.Build === 'running') as Snapshot;
    expect(order.slice(order.indexOf('Build') + 1).every((name) => buildRunning.statuses[name] === 'waiting')).toBe(true);
    // Log lines reached the page while Build was still running.
    expect(snapshots.some((s) => s.lines > 0 && s.statuses.Build === 'running')).toBe(true);

    await liveUrl.click();
    await page.waitForURL(`http://demo.localhost:${platform.port}/`);
    await expect.poll(() => page.locator('h1').textContent()).toBe(GREETING);
    expect(errors).toEqual([]);
  });

  it('shows a broken build failed at Build with its error, while the old version keeps serving; a 50,000-line log stays usable', {
    timeout: 120_000,
  }, async () => {
    const result = await runCli(home, ['deploy', broken, '--project', 'demo']);
    expect(result.code).not.toBe(0);
    const failedId = await newDeployment([liveId]);
    const failedPage = `${origin}/projects/demo/deployments/${failedId}`;
    await page.goto(failedPage);
    const failing = page.locator('[data-failed-state]');
    await failing.waitFor();
    expect(await failing.getAttribute('data-failed-state')).toBe('Build');
    expect(await failing.textContent()).toMatch(/Build failed: \S+/);
    const buildRow = page.locator('table.states tr[data-state="Build"]');
    expect(await buildRow.getAttribute('data-status')).toBe('caught');
    expect(await buildRow.locator('.failure').textContent()).not.toBe('');
    await expect.poll(() => page.getByTestId('deployment-status').textContent()).toContain('FAILED');

    // The whole log replayed; only the lines in view are in the page.
    await page.locator('.log .state', { hasText: 'Ended (FAILED)' }).waitFor({ timeout: 30_000 });
    const count = Number(/(\d+) lines/.exec((await page.locator('.log .state').textContent()) ?? '')?.[1]);
    expect(count).toBeGreaterThan(LOG_LINES);
    expect(await page.locator('.log .line').count()).toBeLessThan(200);
    await expectAccessible(page, 'a failed deployment');

    // Following, the box shows the last line; scrolling up stops following.
    const follow = page.getByLabel('Follow');
    expect(await follow.isChecked()).toBe(true);
    await expectInBox(page.locator(`.log .line[data-line="${count}"]`));
    await page.locator('.log .box').hover();
    await page.mouse.wheel(0, -2000);
    await expect.poll(() => follow.isChecked()).toBe(false);

    // Search finds a line near the end and scrolls it into the box.
    await page.getByLabel('Search the log').fill(`numbered line ${LOG_LINES - 3} of`);
    await expect.poll(() => page.locator('.log .count').textContent()).toBe('0 of 1');
    await page.getByLabel('Search the log').press('Enter');
    await expect.poll(() => page.locator('.log .count').textContent()).toBe('1 of 1');
    const current = page.locator('.log .line.current');
    await expect.poll(() => current.textContent()).toContain(`numbered line ${LOG_LINES - 3} of ${LOG_LINES}`);
    expect(await current.locator('mark').textContent()).toBe(`numbered line ${LOG_LINES - 3} of`);
    await expectInBox(current);

    // A line link: #L49999 opens the page at that line.
    await page.goto(`${failedPage}#L49999`);
    const linked = page.locator('.log .line[data-line="49999"]');
    await linked.waitFor({ timeout: 30_000 });
    await expectInBox(linked);
    expect(await linked.getAttribute('class')).toContain('selected');
    expect(await page.locator('.log .line').count()).toBeLessThan(200);
    // Its number is a link to itself.
    expect(await linked.locator('a.n').getAttribute('href')).toBe('#L49999');

    // The old version still answers.
    await page.goto(`http://demo.localhost:${platform.port}/`);
    expect(await page.locator('h1').textContent()).toBe(GREETING);
    expect(errors).toEqual([]);
  });
});

describe('a running deployment, in the dashboard', () => {
  it('keeps the page still while the log streams, cancels the build from the page, and the live version keeps serving', {
    timeout: 120_000,
  }, async () => {
    const known = (await api<{ deployments: Array<{ id: string }> }>('/projects/demo/deployments')).deployments.map((d) => d.id);
    const deploying = runCli(home, ['deploy', slow, '--project', 'demo']);
    const slowId = await newDeployment(known);
    await page.goto(`${origin}/projects/demo/deployments/${slowId}`);
    await page.locator('.log .line', { hasText: 'slow line' }).first().waitFor({ timeout: 60_000 });
    // Every layout shift from here on, while lines arrive and the states' clocks tick.
    await page.evaluate(() => {
      const shifts: number[] = [];
      (window as unknown as { shifts: number[] }).shifts = shifts;
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) shifts.push((entry as unknown as { value: number }).value);
      }).observe({ type: 'layout-shift' });
    });
    const linesNow = async () => Number(/(\d+) lines/.exec((await page.locator('.log .state').textContent()) ?? '')?.[1] ?? 0);
    const before = await linesNow();
    await expect.poll(linesNow, { timeout: 30_000 }).toBeGreaterThan(before + 40);
    expect(await page.evaluate(() => (window as unknown as { shifts: number[] }).shifts)).toEqual([]);

    await page.getByRole('button', { name: 'Cancel deployment' }).click();
    const confirmation = page.getByRole('dialog', { name: `Cancel deployment ${slowId}?` });
    expect(await confirmation.isVisible()).toBe(true);
    await expectAccessible(page, 'the cancel confirmation');
    await confirmation.getByRole('button', { name: 'Cancel deployment' }).click();
    await expect.poll(() => page.getByTestId('deployment-status').textContent(), { timeout: 30_000 }).toContain('CANCELLED');
    expect((await deploying).code).not.toBe(0);
    await expect.poll(() => page.locator('h2#execution-heading').textContent(), { timeout: 30_000 }).not.toContain('RUNNING');
    expect(await page.getByRole('button', { name: 'Cancel deployment' }).count()).toBe(0);
    await expectAccessible(page, 'a cancelled deployment');
    const { project } = await api<{ project: { liveDeploymentId: string } }>('/projects/demo');
    expect(project.liveDeploymentId).toBe(liveId);
    await page.goto(`http://demo.localhost:${platform.port}/`);
    expect(await page.locator('h1').textContent()).toBe(GREETING);
    expect(errors).toEqual([]);
  });
});

describe('any execution, for operators only', () => {
  it("shows an operator the init-project execution's graph and states; a plain user gets 404 for it and for the deployment", async () => {
    const { executions } = await api<{ executions: Array<{ name: string; stateMachineArn: string }> }>('/executions');
    const init = executions.find((e) => e.stateMachineArn.endsWith('init-project')) as { name: string };
    const response = await page.goto(`${origin}/executions/${init.name}`);
    expect(response?.status()).toBe(200);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toContain(init.name);
    expect(await page.locator('h2#execution-heading').textContent()).toContain('SUCCEEDED');
    expect(await page.locator('svg[aria-labelledby] g.node').count()).toBeGreaterThan(5);
    expect(await page.locator('table.states tr[data-status="succeeded"]').count()).toBeGreaterThan(3);
    await expectAccessible(page, "an init-project execution's page");

    const user = async (args: string[]) => {
      const result = await runCli(home, [...args, '--json']);
      expect(result.code, result.stderr).toBe(0);
      return JSON.parse(result.stdout) as { token: string };
    };
    await user(['admin', 'users', 'create', 'plain', '--role', 'user']);
    const { token: plainToken } = await user(['admin', 'users', 'token', 'plain', '--label', 'browser']);
    const context = await browser.newContext();
    const plain = await context.newPage();
    await signIn(plain, origin, plainToken);
    expect((await plain.goto(`${origin}/executions/${init.name}`))?.status()).toBe(404);
    expect((await plain.goto(`${origin}/projects/demo/deployments/${liveId}`))?.status()).toBe(404);
    await context.close();
    expect(errors).toEqual([]);
  });
});

/** The element is inside the log box's visible area. */
async function expectInBox(line: ReturnType<Page['locator']>): Promise<void> {
  const box = await page.locator('.log .box').boundingBox();
  const own = await line.boundingBox();
  expect(box && own).toBeTruthy();
  expect(own!.y).toBeGreaterThanOrEqual(box!.y);
  expect(own!.y + own!.height).toBeLessThanOrEqual(box!.y + box!.height + 1);
}
