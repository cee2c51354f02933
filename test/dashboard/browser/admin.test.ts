import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyExampleApp, ROOT, runCli, type PlatformProcess } from '../../support/platform-process.js';
import { expectAccessible, pageErrors, signIn } from '../support/browser.js';
import { waitForHydration } from '../support/page-checks.js';
import { type DashboardPlatform, startDashboardPlatform } from '../support/dashboard-platform.js';

/**
 * The admin pages in real Chromium against one platform: a deployment that fails to build
 * (a Svelte syntax error), found on the executions page and retried from it; a user created and
 * their roles changed from the users page; those actions in the audit log; and a plain user, who
 * sees no Admin link and gets 404 from every admin page.
 */
const PROJECT = 'broken';
const ADMIN_PAGES = ['/admin', '/admin/users', '/admin/subscriptions', '/admin/executions', '/admin/audit'];
let dashboard: DashboardPlatform;
let home: string;
let app: string;
let platform: PlatformProcess;
let browser: Browser;
let origin: string;
let adminToken: string;
let page: Page;
let errors: string[];
/** The failed build's execution and deployment, as the API lists them. */
let failed: { name: string; deploymentId: string };
/** The deployment the retry started. */
let retriedId: string | undefined;

const api: DashboardPlatform['api'] = (method, path, body) => dashboard.api(method, path, body);

beforeAll(async () => {
  app = mkdtempSync(join(tmpdir(), 'slipway-dashboard-admin-app-'));
  copyExampleApp(join(ROOT, 'examples', 'hello'), app);
  // An unclosed block: the Svelte compiler refuses it, so the build fails.
  appendFileSync(join(app, 'src', 'routes', '+page.svelte'), '\n{#if true}\n<p>never closed</p>\n');
  dashboard = await startDashboardPlatform('admin');
  ({ home, platform, browser, origin } = dashboard);
  adminToken = dashboard.adminToken;
  const deploy = await runCli(home, ['deploy', app, '--project', PROJECT]);
  expect(deploy.code, `${deploy.stdout}\n${deploy.stderr}`).not.toBe(0);
  const listed = await api('GET', '/executions?status=FAILED&workflow=build-deploy');
  expect(listed.json.executions, JSON.stringify(listed.json)).toHaveLength(1);
  failed = listed.json.executions[0];
  expect(failed.name).toMatch(new RegExp(`^${PROJECT}--build-deploy--`));
  page = await browser.newPage();
  errors = pageErrors(page);
  await signIn(page, origin, adminToken);
}, 300_000);

afterAll(async () => {
  // The retried build (of the same broken source) ends in its own time: stopping the platform
  // while it runs would leave its sandbox's workspace behind.
  if (retriedId) await platform.waitForOutput(new RegExp(`^\\d\\d:\\d\\d:\\d\\d ${PROJECT} ${retriedId} FAILED`, 'm'), 120_000);
  await dashboard?.close();
  rmSync(app, { recursive: true, force: true });
}, 150_000);

const heading = (on: Page) => on.getByRole('heading', { level: 1 }).textContent();

describe('the admin pages, as the admin', () => {
  it('reaches the overview from the nav, with every section', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).click();
    await page.waitForURL(`${origin}/admin`);
    expect(await heading(page)).toBe('Admin');
    const sections = await page.locator('main ul li a').allTextContents();
    expect(sections).toEqual(['Users and roles', 'Subscriptions and limits', 'Executions', 'Audit log']);
    await expectAccessible(page, 'the admin overview');
  });

  it('finds the failed build filtered to FAILED and build-and-deploy, retries it, and lists the new execution', async () => {
    await page.getByRole('link', { name: 'Executions' }).click();
    await page.waitForURL(`${origin}/admin/executions`);
    await page.getByLabel('Status').selectOption('FAILED');
    await page.getByLabel('Workflow').selectOption('build-deploy');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(`${origin}/admin/executions?status=FAILED&workflow=build-deploy`);
    const rows = page.locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(1);
    const row = rows.first();
    expect(await row.getByRole('link', { name: failed.name }).getAttribute('href')).toBe(`/executions/${failed.name}`);
    expect(await row.getByRole('link', { name: `${PROJECT} / ${failed.deploymentId}` }).getAttribute('href')).toBe(
      `/projects/${PROJECT}/deployments/${failed.deploymentId}`,
    );
    expect(await row.textContent()).toContain('FAILED');
    await expectAccessible(page, 'the executions page, filtered');

    // Retry asks for confirmation first: the first click starts nothing.
    await row.getByRole('button', { name: `Retry ${failed.name}` }).click();
    expect((await api('GET', '/executions?workflow=build-deploy')).json.executions).toHaveLength(1);
    // Keyboard focus moves to the confirmation, and back to Retry when it is cancelled.
    const focused = () => page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.textContent);
    expect(await focused()).toBe(`Confirm retry of ${failed.name}`);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await expect.poll(focused).toBe(`Retry ${failed.name}`);
    await page.keyboard.press('Enter');
    await row.getByRole('button', { name: `Confirm retry of ${failed.name}` }).click();
    const started = page.getByRole('status').getByRole('link').first();
    await expect.poll(() => started.textContent(), { timeout: 15_000 }).toMatch(new RegExp(`^${PROJECT}--build-deploy--`));
    const retryName = (await started.textContent()) as string;
    expect(retryName).not.toBe(failed.name);
    expect(await started.getAttribute('href')).toBe(`/executions/${retryName}`);
    const retried = (await api('GET', `/projects/${PROJECT}/deployments`)).json.deployments.find(
      (d: { executionName?: string }) => d.executionName === retryName,
    );
    expect(retried).toMatchObject({ retryOf: failed.deploymentId });
    retriedId = retried.id;

    // Every build-and-deploy execution: the new one is listed first, newest first.
    await page.getByLabel('Status').selectOption('');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(`${origin}/admin/executions?workflow=build-deploy`);
    await expect.poll(() => page.locator('tbody tr td.name').allTextContents()).toEqual([retryName, failed.name]);
    // Already retried: the API refuses a second retry, and the page says why.
    await page.getByRole('button', { name: `Retry ${failed.name}` }).click();
    await page.getByRole('button', { name: `Confirm retry of ${failed.name}` }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('was already retried');
    await expectAccessible(page, 'the executions page after a retry');
  });

  it('creates a user, showing the API’s field error first, and changes their roles', async () => {
    await page.goto(`${origin}/admin/users`);
    expect(await heading(page)).toBe('Users and roles');
    await expectAccessible(page, 'the users page');
    const login = page.getByLabel('GitHub login');
    await login.fill('not a login!');
    await page.getByRole('button', { name: 'Create user' }).click();
    await expect.poll(() => page.locator('#login-error').textContent()).toContain('must be a GitHub login');
    expect(await login.getAttribute('aria-invalid')).toBe('true');
    await expectAccessible(page, 'the users page with a field error');

    await login.fill('casey');
    await page.getByRole('button', { name: 'Create user' }).click();
    const casey = page.getByRole('row', { name: /casey/ });
    await expect.poll(() => casey.locator('.roles').textContent()).toBe('user');
    expect(await page.locator('#login-error').count()).toBe(0);

    await casey.getByRole('button', { name: 'Change roles of casey' }).click();
    await casey.getByRole('checkbox', { name: 'support' }).check();
    await casey.getByRole('button', { name: 'Save roles' }).click();
    await expect.poll(() => casey.locator('.roles').textContent()).toBe('user, support');
    await casey.getByRole('button', { name: 'Change roles of casey' }).click();
    await casey.getByRole('checkbox', { name: 'support' }).uncheck();
    await casey.getByRole('button', { name: 'Save roles' }).click();
    await expect.poll(() => casey.locator('.roles').textContent()).toBe('user');
    expect((await api('GET', '/admin/users/casey')).json.user.roles).toEqual(['user']);
  });

  it('edits a subscription’s limits, showing the field the API refuses', async () => {
    await page.goto(`${origin}/admin/subscriptions`);
    expect(await heading(page)).toBe('Subscriptions and limits');
    await expectAccessible(page, 'the subscriptions page');
    await page.getByRole('button', { name: 'Edit limits of free' }).click();
    const builds = page.locator('#edit-free-buildsPerDay');
    await builds.fill('-1');
    await page.getByRole('button', { name: 'Save limits' }).click();
    await expect.poll(() => page.locator('#edit-free-buildsPerDay-error').textContent()).toContain('buildsPerDay must be at least 1');
    await expectAccessible(page, 'the subscriptions page with a field error');
    await builds.fill('7');
    await page.getByRole('button', { name: 'Save limits' }).click();
    const free = page.getByRole('region', { name: 'free' });
    await expect.poll(() => free.locator('dl div', { hasText: 'Builds per day' }).locator('dd').textContent()).toBe('7');
    const stored = (await api('GET', '/admin/subscriptions')).json.subscriptions.find((s: { name: string }) => s.name === 'free');
    expect(stored).toMatchObject({ origin: 'stored', updatedBy: 'admin', limits: { buildsPerDay: 7 } });
  });

  it('lists those actions in the audit log, newest first', async () => {
    await page.goto(`${origin}/admin/audit`);
    expect(await heading(page)).toBe('Audit log');
    await expectAccessible(page, 'the audit log');
    const rows = await page
      .locator('tbody tr')
      .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].slice(1, 4).map((td) => td.textContent?.trim())));
    expect(rows.slice(0, 5)).toEqual([
      ['admin', 'subscription.put', 'subscription:free'],
      ['admin', 'user.roles', 'user:casey=user'],
      ['admin', 'user.roles', 'user:casey=user+support'],
      ['admin', 'user.create', 'user:casey'],
      ['admin', 'deployment.retry', `execution:${failed.name}`],
    ]);
    expect(errors).toEqual([]);
  });
});

describe('the admin pages, as a plain user', () => {
  it('shows no Admin link, and every admin page answers 404; a role manager sees users and roles only', async () => {
    const issued = await api('POST', '/admin/users/casey/tokens', { label: 'browser test' });
    expect(issued.status).toBe(201);
    const context = await browser.newContext();
    const plain = await context.newPage();
    const plainErrors = pageErrors(plain);
    await signIn(plain, origin, issued.json.token);
    expect(await plain.locator('.who').textContent()).toBe('casey');
    expect(await plain.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).count()).toBe(0);
    for (const path of ADMIN_PAGES) {
      const response = await plain.goto(`${origin}${path}`);
      expect(response?.status(), path).toBe(404);
      expect(await heading(plain), path).toBe('Not found');
    }
    // Navigating in the browser (the load runs there, not on the server) ends on the same 404.
    await plain.goto(`${origin}/`);
    // After hydration: a link added before it may be dropped when Svelte takes the page over.
    await waitForHydration(plain);
    await plain.evaluate(() => {
      const link = document.createElement('a');
      link.href = '/admin/executions';
      link.textContent = 'to the executions';
      document.querySelector('main')?.append(link);
    });
    await plain.getByRole('link', { name: 'to the executions' }).click();
    await plain.waitForURL(`${origin}/admin/executions`);
    await expect.poll(() => heading(plain)).toBe('Not found');
    await expectAccessible(plain, 'the 404 of an admin page');

    // As a role manager: the Admin link, and only the section the role reaches.
    expect((await api('PUT', '/admin/users/casey/roles', { roles: ['role-manager'] })).status).toBe(200);
    await plain.goto(`${origin}/`);
    await plain.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).click();
    await plain.waitForURL(`${origin}/admin`);
    expect(await plain.locator('main ul li a').allTextContents()).toEqual(['Users and roles']);
    for (const path of ['/admin/subscriptions', '/admin/executions', '/admin/audit']) {
      expect((await plain.goto(`${origin}${path}`))?.status(), path).toBe(404);
    }
    expect((await plain.goto(`${origin}/admin/users`))?.status()).toBe(200);
    // Roles, yes; creating users needs users:write.
    expect(await plain.getByRole('button', { name: 'Change roles of casey' }).count()).toBe(1);
    expect(await plain.getByRole('heading', { name: 'Create a user' }).count()).toBe(0);
    expect(plainErrors).toEqual([]);
    await context.close();
  });
});
