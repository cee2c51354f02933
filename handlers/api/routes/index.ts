import * as v from 'valibot';
import { buildOpenApiDocument } from '../openapi.js';
import { OpenApiBody } from '../responses.js';
import { route, type ApiRoute } from '../route.js';
import { adminRoutes } from './admin.js';
import { authRoutes } from './auth.js';
import { cancelRoutes } from './cancel.js';
import { deploymentLogRoutes } from './deployment-logs.js';
import { deploymentRoutes } from './deployments.js';
import { executionRoutes } from './executions.js';
import { executionDetailRoutes } from './execution-detail.js';
import { executionStreamRoutes } from './execution-stream.js';
import { githubProjectRoutes, githubRoutes } from './github.js';
import { meRoutes } from './me.js';
import { projectRoutes } from './projects.js';
import { rollbackRoutes } from './rollback.js';
import { userRoutes } from './users.js';
import { webhookRoutes } from './webhooks.js';
import { myLimitsRoutes, subscriptionAdminRoutes } from '../subscriptions/routes.js';
import { settingsRoutes } from '../settings/routes.js';

const metaRoutes: ApiRoute[] = [
  route({
    method: 'get',
    path: '/health',
    operationId: 'getHealth',
    summary: 'Liveness check',
    tag: 'meta',
    access: 'public',
    responses: { 200: v.object({ ok: v.literal(true) }) },
    errors: [],
    handler: (c) => c.json({ ok: true }),
  }),
  route({
    method: 'get',
    path: '/openapi.json',
    operationId: 'getOpenApiDocument',
    summary: 'This OpenAPI document',
    tag: 'meta',
    access: 'public',
    responses: { 200: OpenApiBody },
    errors: [],
    handler: (c) => c.json(openApiDocument()),
  }),
];

/**
 * Every route of the API, in document order. The app registers exactly these (app.ts), the OpenAPI
 * document and docs/PERMISSIONS.md are generated from them: a route has no other way in.
 */
export const ROUTES: readonly ApiRoute[] = [
  ...metaRoutes,
  ...projectRoutes,
  ...deploymentRoutes,
  ...deploymentLogRoutes,
  ...executionStreamRoutes,
  ...cancelRoutes,
  ...rollbackRoutes,
  ...settingsRoutes,
  ...executionRoutes,
  ...executionDetailRoutes,
  ...adminRoutes,
  ...subscriptionAdminRoutes,
  ...myLimitsRoutes,
  ...authRoutes,
  ...meRoutes,
  ...userRoutes,
  ...webhookRoutes,
  ...githubProjectRoutes,
  ...githubRoutes,
];

let cached: Record<string, unknown> | undefined;

/** The document the API serves at GET /api/v1/openapi.json (built once). */
export function openApiDocument(): Record<string, unknown> {
  return (cached ??= buildOpenApiDocument(ROUTES));
}
