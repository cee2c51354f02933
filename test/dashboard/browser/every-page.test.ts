import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyExampleApp, ROOT, runCli, type PlatformProcess } from '../../support/platform-process.js';
import { expectAccessible, pageErrors, signIn } from '../support/browser.js';
import { horizontalOverflow, waitForHydration } from '../support/page-checks.js';
import { type DashboardRoute, dashboardRoutes, pathOf, type ParamValues } from '../support/routes.js';
import { type DashboardPlatform, startDashboardPlatform } from '../support/dashboard-platform.js';

/**
 * Every page of the dashboard, found from its route folders (a new `+page.svelte` is checked
 * without being listed here), on one platform with one deployed project, signed in as admin:
 * axe-core finds nothing serious in light and in dark, nothing is wider than a 375 px phone, no
 * uncaught error, and a visible h1.
 */
const PROJECT = 'demo';
const PHONE = { width: 375, height: 740 };
const DESKTOP = { width: 1280, height: 800 };
const routes = dashboardRoutes();

let dashboard: DashboardPlatform;
let home: string;
let app: string;
let platform: PlatformProcess;
let browser: Browser;
let origin: string;
let signedIn: BrowserContext;
let paramValues: ParamValues;

async function api<T>(path: string): Promise<T> {
  const { status, json } = await dashboard.api('GET', path);
  if (status !== 200) throw new Error(`GET ${path} answered ${status}: ${JSON.stringify(json)}`);
  return json as T;
}

beforeAll(async () => {
  app = mkdtempSync(join(tmpdir(), 'slipway-dashboard-pages-app-'));
  copyExampleApp(join(ROOT, 'examples', 'hello'), app);
  dashboard = await startDashboardPlatform('pages');
  ({ home, platform, browser, origin } = dashboard);
  const deployed = await runCli(home, ['deploy', app, '--project', PROJECT]);
  if (deployed.code !== 0) throw new Error(`deploy failed:\n${deployed.stdout}\n${deployed.stderr}\n${platform.output()}`);
  const deploymentId = /deployment (d-[a-z0-9-]+) is live/.exec(deployed.stdout)?.[1];
  if (!deploymentId) throw new Error(`the deploy printed no deployment id:\n${deployed.stdout}`);
  const token = dashboard.adminToken;
  const { executions } = await api<{ executions: { name: string }[] }>('/executions');
  const executionName = executions[0]?.name;
  if (!executionName) throw new Error('the deploy left no execution to show');
  // A parameter by the folder before it; a route with a parameter not here fails naming it.
  const byFolder: Record<string, Record<string, string>> = {
    projects: { name: PROJECT, project: PROJECT },
    deployments: { id: deploymentId, deployment: deploymentId },
    executions: { name: executionName, execution: executionName, id: executionName },
  };
  paramValues = (before, param) => (before === undefined ? undefined : byFolder[before]?.[param]);
  signedIn = await browser.newContext({ viewport: DESKTOP });
  const page = await signedIn.newPage();
  await signIn(page, origin, token);
  await page.close();
}, 300_000);

afterAll(async () => {
  await dashboard?.close();
  rmSync(app, { recursive: true, force: true });
});

/** The checks every page gets: light and dark at desktop width, then the phone width. */
async function checkPage(page: Page, path: string, what: string): Promise<void> {
  const errors = pageErrors(page);
  await page.setViewportSize(DESKTOP);
  await page.emulateMedia({ colorScheme: 'light' });
  const response = await page.goto(`${origin}${path}`);
  expect(response?.status(), `${what}: HTTP status`).toBe(200);
  await waitForHydration(page);
  await page.getByRole('heading', { level: 1 }).first().waitFor({ state: 'visible', timeout: 10_000 });
  await expectAccessible(page, `${what}, light`);
  await page.emulateMedia({ colorScheme: 'dark' });
  await expectAccessible(page, `${what}, dark`);
  await page.setViewportSize(PHONE);
  expect(await horizontalOverflow(page), `${what}: nothing wider than a ${PHONE.width} px phone`).toEqual([]);
  expect(await page.getByRole('heading', { level: 1 }).first().isVisible(), `${what}: h1 visible on a phone`).toBe(true);
  expect(errors, `${what}: uncaught errors in the page`).toEqual([]);
}

describe('every dashboard page', () => {
  it('finds the pages from the route folders', () => {
    expect(routes.map((route) => route.id)).toContain('/');
    expect(routes.map((route) => route.id)).toContain('/signin');
  });

  it('fails naming a route parameter it cannot fill, and leaves groups and optional parameters out of the URL', () => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-dashboard-routes-'));
    try {
      for (const folder of ['(app)/projects/[name]/hooks/[hook]', 'docs/[[lang]]', 'projects/[name=slug]']) {
        mkdirSync(join(dir, folder), { recursive: true });
        writeFileSync(join(dir, folder, '+page.svelte'), '<h1>x</h1>\n');
      }
      const found = dashboardRoutes(dir);
      expect(found.map((route) => route.id)).toEqual(['/docs/[[lang]]', '/projects/[name]/hooks/[hook]', '/projects/[name=slug]']);
      const values: ParamValues = (before, param) => (before === 'projects' && param === 'name' ? 'demo' : undefined);
      const [docs, hooks, project] = found as [DashboardRoute, DashboardRoute, DashboardRoute];
      expect(pathOf(docs, values)).toBe('/docs');
      expect(pathOf(project, values)).toBe('/projects/demo');
      expect(() => pathOf(hooks, values)).toThrow('no value for hooks/[hook]');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each(routes.map((route) => [route.id, route] as const))(
    'signed in as admin: %s is accessible in light and dark and fits a phone',
    async (_id, route) => {
      const page = await signedIn.newPage();
      try {
        await checkPage(page, pathOf(route, paramValues), `page ${route.id}`);
      } finally {
        await page.close();
      }
    },
  );

  it('signed out: every other page sends the visitor to sign in', async () => {
    const context = await browser.newContext({ viewport: DESKTOP });
    try {
      const page = await context.newPage();
      for (const route of routes.filter((r) => r.id !== '/signin')) {
        const path = pathOf(route, paramValues);
        await page.goto(`${origin}${path}`);
        const landed = new URL(page.url());
        expect(`${landed.pathname}?next=${landed.searchParams.get('next')}`, `${route.id}, signed out`).toBe(`/signin?next=${path}`);
      }
    } finally {
      await context.close();
    }
  });

  it('signed out: the sign-in page is accessible in light and dark and fits a phone', async () => {
    const context = await browser.newContext({ viewport: DESKTOP });
    try {
      await checkPage(await context.newPage(), '/signin', 'the sign-in page, signed out');
    } finally {
      await context.close();
    }
  });
});
