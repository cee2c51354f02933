import type { Context, Hono, MiddlewareHandler } from 'hono';
import * as v from 'valibot';
import { parse } from './errors.js';
import { jsonBody, type ApiEnv } from './context.js';
import { requirePermission, requireProjectAccess } from './identity/access.js';
import type { Permission } from './identity/roles.js';
import type { ProjectRecord } from './records.js';
import { BuildDeployExecutionName, DeploymentId, ExecutionName, ProjectName } from './schemas.js';
import { Login, TokenId } from './identity/schemas.js';
import { SubscriptionName } from './subscriptions/store.js';
import { DomainName, EnvKey } from '../lib/project-settings/schemas.js';

/**
 * One route, declared once beside its handler: `route()` registers it in Hono (registerRoutes),
 * feeds the OpenAPI document (openapi.ts) and docs/PERMISSIONS.md, parses its path parameters,
 * query and body before the handler runs, and enforces its declared access, so the declaration
 * cannot promise what the route does not do.
 */

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** Error statuses an operation may answer with, beyond the 500 every operation can give. */
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 429;

/**
 * Who may call a route: anyone (`public`, served before the token check), any signed-in caller,
 * the project's owner or holders of projects:read-any / projects:write-any (`project:read` /
 * `project:write`, for paths below /projects/{name}), or holders of a permission.
 */
export type Access = 'public' | 'signed-in' | 'project:read' | 'project:write' | Permission;

/** Every path parameter a route may use, with the schema it is parsed with: one meaning per name. */
export const PATH_PARAMETERS = {
  name: { schema: ProjectName, description: 'The project name (a DNS label).' },
  id: { schema: DeploymentId, description: 'The deployment id.' },
  // Logins are case-insensitive: handlers get the lowercase form every comparison uses.
  login: { schema: v.pipe(Login, v.toLowerCase()), description: 'A user login (a GitHub login, case-insensitive).' },
  token: { schema: TokenId, description: 'An API token id (the part after `slw_`; never the secret).' },
  subscription: { schema: SubscriptionName, description: 'A subscription name.' },
  key: {
    schema: EnvKey,
    description: 'An environment variable name (AWS_*, SLIPWAY_*, LAMBDA_*, _*, NODE_OPTIONS and a few more are reserved).',
  },
  domain: { schema: DomainName, description: 'A custom domain (lowercase host name).' },
  execution: {
    schema: BuildDeployExecutionName,
    description: 'A build-and-deploy execution name: `<project>--build-deploy--[<commit>--]<deployment id>`.',
  },
  executionName: {
    schema: ExecutionName,
    description: 'The name of any execution of a Slipway state machine, as GET /executions lists it.',
  },
} as const satisfies Record<string, { schema: v.GenericSchema<string>; description: string }>;

export type PathParameterName = keyof typeof PATH_PARAMETERS;

/** `{a}` names of an OpenAPI path template, as a union. */
type ParameterNames<Path extends string> = Path extends `${string}{${infer Name}}${infer Rest}` ? Name | ParameterNames<Rest> : never;

/** The parsed path parameters of a path; a name PATH_PARAMETERS lacks makes the path a type error. */
export type PathParams<Path extends string> = {
  [Name in ParameterNames<Path>]: Name extends PathParameterName ? v.InferOutput<(typeof PATH_PARAMETERS)[Name]['schema']> : never;
};

type KnownPath<Path extends string> = ParameterNames<Path> extends PathParameterName ? Path : never;

type Output<S> = S extends v.GenericSchema ? v.InferOutput<S> : undefined;

type ProjectAccess = 'project:read' | 'project:write';

/** What the handler receives, parsed: it reads no raw parameter, query or body itself. */
export interface RouteInput<Path extends string, A extends Access, Query, Body> {
  params: PathParams<Path>;
  query: Output<Query>;
  body: Output<Body>;
  /** The project of a project route, as the access check read it (no second read of its META item). */
  project: A extends ProjectAccess ? ProjectRecord : undefined;
}

/** What a route says about itself: the OpenAPI operation and the access rule. */
export interface RouteDocs {
  method: HttpMethod;
  /** OpenAPI path below API_BASE, parameters as `{name}`. */
  path: string;
  operationId: string;
  summary: string;
  tag: string;
  access: Access;
  /** An object schema: each entry becomes one query parameter. */
  query?: v.GenericSchema | undefined;
  /** The JSON request body. */
  body?: v.GenericSchema | undefined;
  /** The handler reads the body itself (a webhook's signature covers its raw bytes); `body` only documents it. */
  rawBody?: true;
  /** Request headers the route reads (beyond Authorization), each with its schema. */
  headers?: readonly { name: string; description: string; schema: v.GenericSchema }[];
  /** Success statuses and their bodies (JSON unless `contentType` says otherwise). */
  responses: Partial<Record<200 | 201 | 202 | 204, v.GenericSchema>>;
  /** A route that answers with a redirect (302 and a Location header): what the Location is. */
  redirect?: string;
  /** The success bodies' media type; default `application/json`. A `text/event-stream` body is described as a string. */
  contentType?: 'application/json' | 'text/event-stream';
  errors: readonly ErrorStatus[];
}

/** A declared route: its description and the request handler registerRoutes installs. */
export interface ApiRoute extends RouteDocs {
  /** Whether the route needs `Authorization: Bearer <token>` (or a session cookie): every route but the public ones. */
  readonly auth: boolean;
  /** Runs before the parsing (e.g. a route's own body limit). */
  readonly middleware: readonly MiddlewareHandler<ApiEnv>[];
  readonly handle: (c: Context<ApiEnv>) => Promise<Response>;
}

export interface RouteDeclaration<Path extends string, A extends Access, Query, Body> extends RouteDocs {
  path: KnownPath<Path>;
  access: A;
  query?: Query & v.GenericSchema;
  body?: Body & v.GenericSchema;
  middleware?: readonly MiddlewareHandler<ApiEnv>[];
  handler: (c: Context<ApiEnv>, input: RouteInput<Path, A, Query, Body>) => Response | Promise<Response>;
}

const parameterSchemas = new Map<string, v.GenericSchema>(
  Object.entries(PATH_PARAMETERS).map(([name, { schema }]) => [name, v.object({ [name]: schema })]),
);

/** `{a}` names of a path template, in order. */
export function pathParameterNames(path: string): string[] {
  return [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] as string);
}

/** One path parameter, refused as a 400 naming `path.<name>`. */
function pathParameter(c: Context<ApiEnv>, name: string): unknown {
  const schema = parameterSchemas.get(name);
  if (!schema) throw new Error(`route: path parameter {${name}} is not in PATH_PARAMETERS`);
  return (parse(schema, { [name]: c.req.param(name) }, 'path') as Record<string, unknown>)[name];
}

export function route<const Path extends string, const A extends Access, Query = undefined, Body = undefined>(
  declaration: RouteDeclaration<Path, A, Query, Body>,
): ApiRoute {
  const { handler, middleware = [], ...docs } = declaration;
  const names = pathParameterNames(docs.path);
  for (const name of names) if (!parameterSchemas.has(name)) throw new Error(`route: {${name}} of ${docs.path} is not in PATH_PARAMETERS`);
  const projectAccess = docs.access === 'project:read' || docs.access === 'project:write';
  if (projectAccess && !docs.path.startsWith('/projects/{name}'))
    throw new Error(`route: ${docs.operationId} declares ${docs.access} but its path does not start with /projects/{name}`);
  return {
    ...docs,
    auth: docs.access !== 'public',
    middleware,
    async handle(c) {
      const params: Record<string, unknown> = {};
      let project: ProjectRecord | undefined;
      // The order callers have always seen: an invalid project name is a 400, a project the caller may
      // not read a 404, a missing permission a 403; only then the other parameters, the query and the body.
      if (projectAccess) {
        params.name = pathParameter(c, 'name');
        project = await requireProjectAccess(c, params.name as string, docs.access === 'project:read' ? 'read' : 'write');
      } else if (docs.access !== 'public' && docs.access !== 'signed-in') {
        requirePermission(c, docs.access as Permission);
      }
      for (const name of names) if (!(name in params)) params[name] = pathParameter(c, name);
      const query = docs.query ? parse(docs.query, c.req.query(), 'query') : undefined;
      const body = docs.body && !docs.rawBody ? await jsonBody(c, docs.body) : undefined;
      return handler(c, { params, query, body, project } as RouteInput<Path, A, Query, Body>);
    },
  };
}

/** Installs routes on the app, each with its own middleware; Hono paths use `:name` for `{name}`. */
export function registerRoutes(app: Hono<ApiEnv>, routes: readonly ApiRoute[]): void {
  for (const declared of routes) {
    app.on([declared.method.toUpperCase()], [declared.path.replace(/\{([^}]+)\}/g, ':$1')], ...declared.middleware, (c) =>
      declared.handle(c),
    );
  }
}
