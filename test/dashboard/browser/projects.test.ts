import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostRequest } from '../../support/http.js';
import { copyExampleApp, ROOT, runCli, type PlatformProcess } from '../../support/platform-process.js';
import { expectAccessible, pageErrors, signIn } from '../support/browser.js';
import { type DashboardPlatform, startDashboardPlatform } from '../support/dashboard-platform.js';

/**
 * The project pages in a real browser against a real platform: create a project in the page, two
 * CLI deploys of examples/hello, a rollback from the history, settings (variables, a secret, a
 * domain), usage, delete with typed confirmation, and what a plain user may not see.
 */
const PROJECT = 'pages';
const FIRST = 'Hello from the first pages deploy';
const SECOND = 'Hello from the second pages deploy';
const SECRET_VALUE = 'sk-live-never-in-the-page-4f9c2e';

let dashboard: DashboardPlatform;
let home: string;
let app: string;
let platform: PlatformProcess;
let browser: Browser;
let origin: string;
let adminToken: string;
let page: Page;
let errors: string[];
const deployments: string[] = [];

const api: DashboardPlatform['api'] = (method, path, body) => dashboard.api(method, path, body);

const tenant = (path: string) => hostRequest({ port: platform.port, host: `${PROJECT}.localhost:${platform.port}`, path });

async function deploy(greeting: string): Promise<string> {
  writeFileSync(join(app, 'src', 'lib', 'greeting.ts'), `export const GREETING = '${greeting}';\n`);
  const result = await runCli(home, ['deploy', app, '--project', PROJECT]);
  expect(result.code, `${result.stdout}\n${result.stderr}\n${platform.output()}`).toBe(0);
  return /deployment (d-[a-z0-9-]+) is live/.exec(result.stdout)?.[1] as string;
}

/** axe again at a phone's width in dark mode, and nothing wider than the screen (tables scroll in their own box). */
async function expectAccessiblePhoneDark(what: string): Promise<void> {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.emulateMedia({ colorScheme: 'dark' });
  try {
    await expectAccessible(page, `${what}, phone width, dark`);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), `${what} fits a phone`).toBe(true);
  } finally {
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 1280, height: 720 });
  }
}

beforeAll(async () => {
  app = mkdtempSync(join(tmpdir(), 'slipway-dashboard-projects-app-'));
  copyExampleApp(join(ROOT, 'examples', 'hello'), app);
  dashboard = await startDashboardPlatform('projects');
  ({ home, platform, browser, origin } = dashboard);
  adminToken = dashboard.adminToken;
  page = await browser.newPage();
  errors = pageErrors(page);
  await signIn(page, origin, adminToken);
}, 120_000);

afterAll(async () => {
  await dashboard?.close();
  rmSync(app, { recursive: true, force: true });
});

describe('the project pages', () => {
  it('creates a project in the page, showing the API field error first and the CLI command after', async () => {
    await page.getByRole('link', { name: 'New project' }).click();
    await page.waitForURL(`${origin}/new`);
    await expectAccessible(page, 'the new project page');
    await page.getByLabel('Name').fill('Not_A_Name');
    await page.getByRole('button', { name: 'Create project' }).click();
    // The API's message for body.name, next to the field (and tied to it).
    const nameError = page.locator('#name-error');
    await expect.poll(() => nameError.textContent()).toContain('name');
    expect(await page.getByLabel('Name').getAttribute('aria-invalid')).toBe('true');

    await page.getByLabel('Name').fill(PROJECT);
    // No GitHub App here: choosing a repository says why there is none.
    await page.getByLabel('A GitHub repository').check();
    expect(await page.locator('form .empty').textContent()).toContain('no GitHub App configured');
    await page.getByLabel('Empty: deploy from the CLI').check();
    await page.getByRole('button', { name: 'Create project' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain(`slipway link --project ${PROJECT} && slipway deploy`);
    await expectAccessible(page, 'the new project page, created');
    await expect
      .poll(async () => ((await api('GET', `/projects/${PROJECT}`)).json.project as { status?: string } | undefined)?.status, {
        timeout: 60_000,
      })
      .toBe('READY');
  }, 90_000);

  it('shows the history of two CLI deploys and rolls back to the first from the page', async () => {
    deployments.push(await deploy(FIRST), await deploy(SECOND));
    expect((await tenant('/')).text).toContain(SECOND);

    await page.goto(`${origin}/`);
    const row = page.getByRole('row', { name: new RegExp(PROJECT) });
    expect(await row.textContent()).toContain('upload');
    await expectAccessible(page, 'the projects page with a project');
    await row.getByRole('link', { name: PROJECT, exact: true }).click();
    await page.waitForURL(`${origin}/projects/${PROJECT}`);
    await expectAccessible(page, 'the project page');
    await expectAccessiblePhoneDark('the project page');
    const history = page.getByRole('region', { name: 'History' });
    for (const id of deployments) {
      const line = history.getByRole('row', { name: new RegExp(id) });
      expect(await line.getByRole('link', { name: id }).getAttribute('href')).toBe(`/projects/${PROJECT}/deployments/${id}`);
      expect(await line.textContent()).toMatch(/LIVE.*upload.*admin.*\d+ s/s);
    }
    expect(await history.getByRole('row', { name: new RegExp(deployments[1] as string) }).textContent()).toContain('(live)');
    // Only the earlier one can be rolled back to.
    expect(await history.getByRole('button', { name: /Roll back/ }).count()).toBe(1);

    await history.getByRole('button', { name: `Roll back to ${deployments[0]}` }).click();
    const dialog = page.getByRole('dialog', { name: `Roll back ${PROJECT}?` });
    expect(await dialog.isVisible()).toBe(true);
    await expectAccessible(page, 'the rollback dialog');
    // Escape cancels without rolling back; the keyboard reaches the dialog's buttons.
    await page.keyboard.press('Escape');
    expect(await dialog.isVisible()).toBe(false);
    await history.getByRole('button', { name: `Roll back to ${deployments[0]}` }).click();
    await dialog.getByRole('button', { name: 'Roll back' }).click();
    await expect.poll(() => page.getByRole('status').textContent(), { timeout: 60_000 }).toContain(`${deployments[0]} is live again`);
    await expect.poll(async () => (await tenant('/')).text, { timeout: 30_000 }).toContain(FIRST);
    expect(await history.getByRole('row', { name: new RegExp(deployments[0] as string) }).textContent()).toContain('(live)');
  }, 300_000);

  it('sets a runtime variable and a write-only secret, and adds a domain pending its TXT record', async () => {
    await page.goto(`${origin}/projects/${PROJECT}/settings`);
    await expectAccessible(page, 'the settings page');
    const env = page.getByRole('region', { name: 'Environment variables and secrets' });

    // The API's refusal names the key: it shows beside that field.
    await env.getByLabel('Name').fill('bad key');
    await env.getByLabel('Value', { exact: true }).fill('x');
    await env.getByRole('button', { name: 'Save variable' }).click();
    await expect.poll(() => env.locator('#env-key + .error').textContent()).toMatch(/key/);

    await env.getByLabel('Name').fill('PUBLIC_COLOUR');
    await env.getByLabel('Value', { exact: true }).fill('teal');
    await env.getByLabel('Used by').selectOption('runtime');
    await env.getByRole('button', { name: 'Save variable' }).click();
    const colour = env.getByRole('row', { name: /PUBLIC_COLOUR/ });
    await expect.poll(() => colour.textContent()).toContain('teal');
    expect(await colour.textContent()).toContain('runtime');

    await env.getByLabel('Name').fill('API_SECRET');
    await env.getByLabel('Secret: encrypted').check();
    await env.getByLabel('Value', { exact: true }).fill(SECRET_VALUE);
    await env.getByRole('button', { name: 'Save variable' }).click();
    const secret = env.getByRole('row', { name: /API_SECRET/ });
    await expect.poll(() => secret.textContent()).toContain('secret (set, never shown)');
    expect(await page.content()).not.toContain(SECRET_VALUE);
    await page.reload();
    expect(await page.content()).not.toContain(SECRET_VALUE);
    const served = await page.request.get(`${origin}/projects/${PROJECT}/settings`);
    expect(await served.text()).toContain('API_SECRET');
    expect(await served.text()).not.toContain(SECRET_VALUE);

    const domains = page.getByRole('region', { name: 'Custom domains' });
    await domains.getByLabel('Domain').fill('shop.pages-test.example');
    await domains.getByRole('button', { name: 'Add domain' }).click();
    const item = domains.getByRole('listitem').filter({ hasText: 'shop.pages-test.example' });
    await expect.poll(() => item.textContent()).toContain('PENDING');
    expect(await item.textContent()).toContain('_slipway-challenge.shop.pages-test.example');
    const { json: body } = await api('GET', `/projects/${PROJECT}/domains`);
    const token = (body.domains as Array<{ verification: { value: string } }>)[0]?.verification.value as string;
    expect(await item.textContent()).toContain(token);
    await expectAccessible(page, 'the settings page, filled');
    await expectAccessiblePhoneDark('the settings page');
    expect(errors).toEqual([]);
  }, 60_000);

  it('shows usage against the limits and the build durations as a chart with a text alternative', async () => {
    await page.goto(`${origin}/usage`);
    await expectAccessible(page, 'the usage page');
    await expectAccessiblePhoneDark('the usage page');
    const { json: body } = await api('GET', '/me/limits');
    const usage = body.usage as { buildsToday: number };
    const limits = body.limits as { buildsPerDay: number };
    expect(await page.locator('.meter').filter({ hasText: 'Builds today' }).textContent()).toContain(
      `${usage.buildsToday} of ${limits.buildsPerDay}`,
    );
    expect(usage.buildsToday).toBeGreaterThanOrEqual(2);
    const chart = page.getByRole('img', { name: /Build durations: 2 builds/ });
    expect(await chart.locator('rect').count()).toBe(2);
    await page.getByText('Durations as a table').click();
    for (const id of deployments) expect(await page.getByRole('row', { name: new RegExp(id) }).textContent()).toMatch(/\d+ s/);
  });

  it('shows a plain user no Admin link and answers 404 for the admin’s project', async () => {
    expect((await api('POST', '/admin/users', { login: 'pat', roles: ['user'] })).status).toBe(201);
    const issued = await api('POST', '/admin/users/pat/tokens', { label: 'dashboard test' });
    expect(issued.status).toBe(201);
    const context = await browser.newContext();
    const plain = await context.newPage();
    await signIn(plain, origin, issued.json.token as string);
    expect(await plain.getByRole('link', { name: 'Projects' }).count()).toBe(1);
    expect(await plain.getByRole('link', { name: 'Admin' }).count()).toBe(0);
    await expectAccessible(plain, "the plain user's projects page");
    expect(await plain.getByRole('row', { name: new RegExp(PROJECT) }).count()).toBe(0);
    const answer = await plain.goto(`${origin}/projects/${PROJECT}`);
    expect(answer?.status()).toBe(404);
    expect(await plain.content()).not.toContain(FIRST);
    await context.close();
  });

  it('deletes the project only after its name is typed, then goes back to the projects list', async () => {
    await page.goto(`${origin}/projects/${PROJECT}/settings`);
    await page.getByRole('button', { name: 'Delete project' }).click();
    const dialog = page.getByRole('dialog', { name: `Delete ${PROJECT}?` });
    const confirm = dialog.getByRole('button', { name: 'Delete project' });
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByLabel(`Type ${PROJECT} to confirm`).fill(`${PROJECT}-nope`);
    expect(await confirm.isDisabled()).toBe(true);
    await expectAccessible(page, 'the delete dialog');
    await dialog.getByLabel(`Type ${PROJECT} to confirm`).fill(PROJECT);
    await confirm.click();
    await page.waitForURL(`${origin}/`);
    // Deleting runs a workflow: the project shows DELETING, then is gone.
    await expect.poll(async () => (await api('GET', `/projects/${PROJECT}`)).status, { timeout: 60_000 }).toBe(404);
    expect(errors).toEqual([]);
  }, 90_000);
});
