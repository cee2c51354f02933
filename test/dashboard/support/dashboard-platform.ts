import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { startPlatformProcess, type PlatformProcess } from '../../support/platform-process.js';
import { launchChromium } from './browser.js';

/** A real platform in its own temporary home, and headless Chromium to look at its dashboard. */
export interface DashboardPlatform {
  home: string;
  platform: PlatformProcess;
  browser: Browser;
  /** Where the dashboard and, under /api/v1, the API answer. */
  origin: string;
  /** The admin token the platform wrote on its first start. */
  adminToken: string;
  /** One API call as the admin (a JSON body when given): what a test sets up or checks beside the page. */
  api(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }>;
  /** Closes Chromium, stops the platform and removes its home. */
  close(): Promise<void>;
}

/** Starts both side by side: a browser test file's set-up. `name` labels the temporary home. */
export async function startDashboardPlatform(name: string): Promise<DashboardPlatform> {
  const home = mkdtempSync(join(tmpdir(), `slipway-dashboard-${name}-`));
  const [platform, browser] = await Promise.all([startPlatformProcess(home), launchChromium()]);
  const origin = `http://localhost:${platform.port}`;
  const adminToken = readFileSync(join(home, 'admin.token'), 'utf8').trim();
  return {
    home,
    platform,
    browser,
    origin,
    adminToken,
    async api(method, path, body) {
      const response = await fetch(`${origin}/api/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: response.status, json: await response.json() };
    },
    async close() {
      await browser.close();
      await platform.stop();
      rmSync(home, { recursive: true, force: true });
    },
  };
}
