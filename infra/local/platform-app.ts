import { Hono } from 'hono';
import { createApiApp } from '../../handlers/api/app.js';
import { dashboardPlaceholder } from './dashboard-placeholder.js';

/** What the edge serves at `localhost`: the API under /api, the dashboard at /. */
export function createPlatformApp(api: ReturnType<typeof createApiApp>, port: number): Hono {
  const platformApp = new Hono();
  platformApp.all('/api/*', (c) => api.fetch(c.req.raw));
  platformApp.get('/', (c) => c.html(dashboardPlaceholder(port)));
  return platformApp;
}
