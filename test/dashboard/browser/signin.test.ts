import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible, pageErrors, signIn } from '../support/browser.js';
import { type DashboardPlatform, startDashboardPlatform } from '../support/dashboard-platform.js';

let dashboard: DashboardPlatform;
let browser: Browser;
let origin: string;

beforeAll(async () => {
  dashboard = await startDashboardPlatform('signin');
  ({ browser, origin } = dashboard);
});

afterAll(async () => {
  await dashboard?.close();
});

describe('signing in to the dashboard', () => {
  it('sends a signed-out visitor to sign in, refuses a wrong token, and signs in and out with the admin token', async () => {
    const page = await browser.newPage();
    const errors = pageErrors(page);
    await page.goto(`${origin}/`);
    expect(new URL(page.url()).pathname).toBe('/signin');
    await expectAccessible(page, 'the sign-in page');

    await page.getByLabel('API token').fill('not-the-admin-token-at-all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('the token is not valid');

    const token = dashboard.adminToken;
    await signIn(page, origin, token);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Projects');
    // No project yet: the page says what to run.
    expect(await page.locator('.empty').textContent()).toContain('slipway link && slipway deploy');
    await expectAccessible(page, 'the projects page, empty');
    // The session is an HttpOnly cookie; neither it nor the token is in the page's storage.
    const session = (await page.context().cookies()).find((cookie) => cookie.name === 'slipway_session');
    expect(session?.httpOnly).toBe(true);
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
    expect(stored).not.toContain(session?.value);
    expect(stored).not.toContain(token);
    expect(await page.evaluate(() => localStorage.length)).toBe(0);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${origin}/signin`);
    expect((await page.context().cookies()).some((cookie) => cookie.name === 'slipway_session')).toBe(false);
    expect(errors).toEqual([]);
  });
});
