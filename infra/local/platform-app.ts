import { join } from 'node:path';
import { Hono } from 'hono';
import { createApiApp } from '../../handlers/api/app.js';
import { packageRoot } from '../package-root.js';
import { createDashboardApp } from './dashboard/dashboard-app.js';

/** Where `npm run build` writes the dashboard's bundle (infra/dashboard/build.ts). */
export function dashboardBundleDir(): string {
  return join(packageRoot(), 'dist', 'dashboard');
}

/** What the edge serves at `localhost`: the API under /api, the dashboard everywhere else. */
export function createPlatformApp(api: ReturnType<typeof createApiApp>, dashboardDir = dashboardBundleDir()): Hono {
  const platformApp = new Hono();
  const dashboard = createDashboardApp(dashboardDir);
  platformApp.all('/api/*', (c) => api.fetch(c.req.raw));
  platformApp.all('*', (c) => dashboard(c.req.raw));
  return platformApp;
}
