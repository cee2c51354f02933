import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';

/**
 * Real headless Chromium for the dashboard's browser tests: Debian's `chromium` package, driven by
 * playwright-core (which brings no browser of its own). Without the package the tests fail and say
 * which package to install; they are never skipped.
 */
export function chromiumExecutable(): string {
  const named = process.env.SLIPWAY_CHROMIUM;
  if (named) return named;
  for (const command of ['chromium', 'chromium-browser']) {
    try {
      return execFileSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).trim();
    } catch {
      // not this name
    }
  }
  throw new Error(
    "the dashboard's browser tests need headless Chromium: install Debian's chromium package (apt-get install -y chromium), or name a Chromium binary in SLIPWAY_CHROMIUM",
  );
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumExecutable(),
    headless: true,
    // Chromium's own sandbox cannot start as root (CI runs as root); the page only ever loads the local platform.
    chromiumSandbox: process.getuid?.() !== 0,
  });
}

/** Collects what a page reports as broken (uncaught errors), for a test to assert none happened. */
export function pageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  return errors;
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact?: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/** axe-core on the page as it is now (WCAG 2 A and AA rules): no serious or critical violation. */
export async function expectAccessible(page: Page, what = page.url()): Promise<void> {
  // Evaluated over the DevTools protocol, which the dashboard's Content-Security-Policy does not govern (a script tag it would refuse).
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run: (context: unknown, options: unknown) => Promise<{ violations: AxeViolation[] }> } })
      .axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) }));
  });
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(
    serious.map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`),
    `axe-core on ${what}`,
  ).toEqual([]);
}

/** Signs the page in through the dashboard's own sign-in form, as a person would. */
export async function signIn(page: Page, origin: string, token: string): Promise<void> {
  await page.goto(`${origin}/signin`);
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${origin}/`);
}
