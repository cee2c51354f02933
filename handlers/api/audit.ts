import { randomBytes, randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { API_BASE } from './openapi.js';
import type { ApiEnv } from './context.js';
import { putAuditEntry } from '../lib/table/audit.js';

/** How long an entry is kept: the table's TTL attribute `expiresAt` removes it after this. */
export const AUDIT_RETENTION_DAYS = 400;

type Params = Record<string, string>;
type Body = Record<string, any>;

/**
 * The audited actions, by method and route pattern (below API_BASE). A mutating route that is not
 * listed is still recorded, as `<method> <pattern>` with its path as target: add it here to name it.
 */
const ACTIONS: Record<string, { action: string; target: (params: Params, body: Body) => string }> = {
  'POST /projects': { action: 'project.create', target: (_, body) => `project:${body.project?.name ?? '?'}` },
  'DELETE /projects/:name': { action: 'project.delete', target: (p) => `project:${p.name}` },
  'POST /projects/:name/sources': { action: 'source.create', target: (p, body) => `source:${body.source?.key ?? p.name}` },
  'POST /projects/:name/deployments': {
    action: 'deployment.create',
    target: (p, body) => `deployment:${p.name}/${body.deployment?.id ?? '?'}`,
  },
  'POST /projects/:name/rollback': {
    action: 'project.rollback',
    target: (p, body) => `deployment:${p.name}/${body.rollback?.deploymentId ?? '?'}`,
  },
  'POST /projects/:name/deployments/:id/cancel': { action: 'deployment.cancel', target: (p) => `deployment:${p.name}/${p.id}` },
  'PATCH /projects/:name/settings': { action: 'settings.update', target: (p) => `project:${p.name}` },
  // Names only: a variable's value (and any secret) never goes into the audit log.
  'PUT /projects/:name/env/:key': { action: 'env.set', target: (p) => `env:${p.name}/${p.key}` },
  'DELETE /projects/:name/env/:key': { action: 'env.unset', target: (p) => `env:${p.name}/${p.key}` },
  'POST /projects/:name/domains': { action: 'domain.add', target: (p, body) => `domain:${p.name}/${body.domain?.domain ?? '?'}` },
  'DELETE /projects/:name/domains/:domain': { action: 'domain.remove', target: (p) => `domain:${p.name}/${p.domain}` },
  'PUT /projects/:name/repository': { action: 'project.link-repository', target: (p) => `project:${p.name}` },
  'POST /projects/:name/deployments/:id/approve': { action: 'deployment.approve', target: (p) => `deployment:${p.name}/${p.id}` },
  'POST /admin/executions/:execution/retry': { action: 'deployment.retry', target: (p) => `execution:${p.execution}` },
  'POST /admin/template-rollout': { action: 'template.rollout', target: () => 'platform:template' },
  'POST /admin/users': { action: 'user.create', target: (_, body) => `user:${body.user?.login ?? '?'}` },
  'PUT /admin/users/:login/roles': { action: 'user.roles', target: (p, body) => `user:${p.login}=${(body.user?.roles ?? []).join('+')}` },
  'DELETE /admin/users/:login': { action: 'user.delete', target: (p) => `user:${p.login}` },
  'PUT /admin/users/:login/subscription': {
    action: 'user.subscription',
    target: (p, body) => `user:${p.login}=${body.subscription?.name ?? '?'}`,
  },
  'PUT /admin/subscriptions/:subscription': { action: 'subscription.put', target: (p) => `subscription:${p.subscription}` },
  'POST /admin/users/:login/tokens': { action: 'token.issue', target: (p, body) => `token:${p.login}/${body.record?.id ?? '?'}` },
  'DELETE /admin/users/:login/tokens/:token': { action: 'token.revoke', target: (p) => `token:${p.login}/${p.token}` },
  'POST /me/tokens': { action: 'token.issue', target: (_, body) => `token:${body.record?.user ?? '?'}/${body.record?.id ?? '?'}` },
  'DELETE /me/tokens/:token': { action: 'token.revoke', target: (p) => `token:${p.token}` },
};

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The `:param` values of a Hono route pattern against a concrete path (both below API_BASE). */
function paramsOf(pattern: string, path: string): Params {
  const names = pattern.split('/');
  const values = path.split('/');
  const params: Params = {};
  names.forEach((part, i) => {
    const match = /^:([A-Za-z0-9_]+)/.exec(part);
    if (match && values[i] !== undefined) {
      try {
        params[match[1] as string] = decodeURIComponent(values[i] as string);
      } catch {
        params[match[1] as string] = values[i] as string;
      }
    }
  });
  return params;
}

function below(path: string): string {
  return path.startsWith(API_BASE) ? path.slice(API_BASE.length) || '/' : path;
}

/** API Gateway's request id on AWS (also in its access log); locally a fresh UUID. */
function requestIdOf(c: Parameters<MiddlewareHandler<ApiEnv>>[0]): string {
  const env = c.env as { requestContext?: { requestId?: unknown } } | undefined;
  const fromGateway = env?.requestContext?.requestId;
  return typeof fromGateway === 'string' && fromGateway ? fromGateway : randomUUID();
}

/**
 * Records every mutating call that succeeded (2xx), after its handler returned. Mounted after the
 * token middleware, so webhook deliveries (answered before it) are not audited. A failed write is
 * logged and does not change the answer: the change it describes has already happened.
 */
export function auditLog(): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    await next();
    if (!MUTATING.has(c.req.method) || c.res.status < 200 || c.res.status >= 300) return;
    try {
      const pattern = below(routePath(c));
      const path = below(c.req.path);
      const known = ACTIONS[`${c.req.method} ${pattern}`];
      let body: Body = {};
      if (known)
        body = ((await c.res
          .clone()
          .json()
          .catch(() => ({}))) ?? {}) as Body;
      const now = new Date();
      await putAuditEntry(
        {
          actor: c.get('caller')?.user ?? 'unknown',
          action: known?.action ?? `${c.req.method.toLowerCase()} ${pattern}`,
          target: known ? known.target(paramsOf(pattern, path), body) : path,
          status: c.res.status,
          requestId: requestIdOf(c),
          at: now.toISOString(),
          expiresAt: Math.floor(now.getTime() / 1000) + AUDIT_RETENTION_DAYS * 86_400,
        },
        randomBytes(4).toString('hex'),
      );
    } catch (error) {
      console.error('slipway api: could not write the audit entry', c.req.method, c.req.path, error);
    }
  };
}
