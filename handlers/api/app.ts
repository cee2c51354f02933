import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import * as v from 'valibot';
import { ApiError } from './errors.js';
import { ProjectName } from './schemas.js';
import { requireProjectAccess } from './identity/access.js';
import { authenticate } from './auth.js';
import type { ApiEnv } from './context.js';
import { projectRoutes } from './routes/projects.js';
import { deploymentRoutes } from './routes/deployments.js';
import { executionRoutes } from './routes/executions.js';
import { rollbackRoutes } from './routes/rollback.js';
import { deploymentLogRoutes } from './routes/deployment-logs.js';
import { cancelRoutes } from './routes/cancel.js';
import { webhookRoutes } from './routes/webhooks.js';
import { adminRoutes } from './routes/admin.js';
import { myLimitsRoutes, subscriptionAdminRoutes } from './subscriptions/routes.js';
import { settingsRoutes } from './settings/routes.js';
import { githubProjectRoutes, githubRoutes } from './routes/github.js';
import { auditLog } from './audit.js';
import { authRoutes } from './routes/auth.js';
import { userRoutes } from './routes/users.js';
import { meRoutes } from './routes/me.js';
import { openApiDocument } from './openapi.js';

const MAX_BODY_BYTES = 256 * 1024;

/**
 * The platform API. It reads state and starts executions; every pipeline change happens in a
 * state machine. The same app runs in the API Lambda and inside `slipway up`.
 */
export function createApiApp(): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>().basePath('/api/v1');

  app.onError((error, c) => {
    if (error instanceof ApiError) return c.json(error.toJSON(), error.status);
    console.error('slipway api: unexpected error', error);
    return c.json(new ApiError('Internal', 'internal error').toJSON(), 500);
  });
  app.notFound((c) => c.json(new ApiError('NotFound', `no route ${c.req.method} ${c.req.path}`).toJSON(), 404));

  app.get('/health', (c) => c.json({ ok: true }));
  // Before the body limit and token middleware below: GitHub signs its deliveries instead of sending a token.
  app.route('/webhooks', webhookRoutes);
  app.get('/openapi.json', (c) => c.json(openApiDocument()));
  app.route('/auth', authRoutes);

  app.use(
    '*',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new ApiError('PayloadTooLarge', `body exceeds the limit of ${MAX_BODY_BYTES} bytes`, 'body');
      },
    }),
  );
  app.use('*', async (c, next) => {
    c.set('caller', await authenticate(c));
    await next();
  });
  app.use('*', auditLog());
  // Every route below /projects/{name} acts on one project: reading needs ownership or
  // projects:read-any, anything else ownership or projects:write-any. One check, so a new
  // project route cannot forget it.
  for (const path of ['/projects/:name', '/projects/:name/*']) {
    app.use(path, async (c, next) => {
      // A name that is not a project name cannot be anyone's project: the route (or the 404 for no
      // route) answers for it.
      const name = v.safeParse(ProjectName, c.req.param('name'));
      if (name.success)
        c.set('project', await requireProjectAccess(c, name.output, c.req.method === 'GET' || c.req.method === 'HEAD' ? 'read' : 'write'));
      await next();
    });
  }

  app.route('/projects', projectRoutes);
  app.route('/projects', deploymentRoutes);
  app.route('/projects', rollbackRoutes);
  app.route('/projects', deploymentLogRoutes);
  app.route('/projects', cancelRoutes);
  app.route('/projects', settingsRoutes);
  app.route('/projects', githubProjectRoutes);
  app.route('/github', githubRoutes);
  app.route('/executions', executionRoutes);
  app.route('/admin/users', userRoutes);
  app.route('/admin', adminRoutes);
  app.route('/admin', subscriptionAdminRoutes);
  app.route('/me', meRoutes);
  app.route('/me', myLimitsRoutes);
  return app;
}
