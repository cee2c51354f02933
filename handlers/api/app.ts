import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { ApiError } from './errors.js';
import { authenticate } from './auth.js';
import type { ApiEnv } from './context.js';
import { auditLog } from './audit.js';
import { registerRoutes } from './route.js';
import { ROUTES } from './routes/index.js';

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

  // Public routes come before the body limit and token middleware below: GitHub signs its webhook
  // deliveries instead of sending a token, and signing in is how a browser gets one.
  registerRoutes(
    app,
    ROUTES.filter((declared) => !declared.auth),
  );

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
  // Each route enforces its declared access (route.ts): ownership or projects:*-any below
  // /projects/{name}, its permission elsewhere, so the access a route documents is the access it checks.
  registerRoutes(
    app,
    ROUTES.filter((declared) => declared.auth),
  );
  return app;
}
