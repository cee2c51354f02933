import type { Hono } from 'hono';
import type { ApiEnv } from './context.js';
import { auditLog } from './audit.js';
import { createRouteApp } from './route-app.js';
import { ROUTES } from './routes/index.js';

/**
 * The platform API. It reads state and starts executions; every pipeline change happens in a
 * state machine. The same app runs in the API Lambda and inside `slipway up`.
 */
export function createApiApp(): Hono<ApiEnv> {
  return createRouteApp(ROUTES, { audit: auditLog() });
}
