import { Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { ApiError } from './errors.js';
import { authenticate } from './auth.js';
import type { ApiEnv } from './context.js';
import { registerRoutes, type ApiRoute } from './route.js';

const MAX_BODY_BYTES = 256 * 1024;

/**
 * An API app serving `routes` with the API's error shape, body limit and authentication, and the
 * audit log when it has mutating routes (`audit`: audit.ts's, passed in so that an app without such
 * routes does not carry its table write). The whole API passes every route (app.ts); the log-stream
 * Lambda passes only its route, so its bundle holds no other route's code and its role no other
 * route's rights.
 */
export function createRouteApp(routes: readonly ApiRoute[], options: { audit?: MiddlewareHandler<ApiEnv> } = {}): Hono<ApiEnv> {
  if (!options.audit && routes.some((declared) => declared.method !== 'get'))
    throw new Error('createRouteApp: an app with mutating routes needs the audit log');
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
    routes.filter((declared) => !declared.auth),
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
  if (options.audit) app.use('*', options.audit);
  // Each route enforces its declared access (route.ts): ownership or projects:*-any below
  // /projects/{name}, its permission elsewhere, so the access a route documents is the access it checks.
  registerRoutes(
    app,
    routes.filter((declared) => declared.auth),
  );
  return app;
}
