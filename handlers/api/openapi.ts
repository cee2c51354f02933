import { toJsonSchema, type JsonSchema } from '@valibot/to-json-schema';
import type * as v from 'valibot';
import { ErrorBody } from './responses.js';
import { PATH_PARAMETERS, pathParameterNames, type ErrorStatus, type RouteDocs } from './route.js';

/**
 * The API's OpenAPI 3.1 document, built from the routes' own declarations (route.ts): each route
 * states its method, path, parameters, body, responses, errors and access beside its handler, and
 * nothing here repeats them. test/api/contract.test.ts validates real responses against the document.
 */

/** Where the app is mounted; document paths are relative to it (it is the document's server URL). */
export const API_BASE = '/api/v1';

const ERROR_RESPONSES: Record<ErrorStatus | 500, string> = {
  400: 'Bad input: the error names the field (`body.x`, `query.x`, `path.x`).',
  401: 'Missing or invalid bearer token.',
  403: 'The caller lacks the permission.',
  404: 'No such resource or route.',
  409: 'Conflicts with the current state.',
  413: 'The body exceeds the size limit.',
  429: 'A limit was reached: the error names it and its value.',
  500: 'Internal error.',
};

/**
 * JSON Schema 2020-12 (OpenAPI 3.1's dialect), without the `$schema` marker on each fragment. Lowercasing
 * (a case-insensitive login) changes what the handler sees, not what the API accepts.
 */
export function jsonSchemaOf(schema: v.GenericSchema): JsonSchema {
  const { $schema: _s, ...rest } = toJsonSchema(schema, { target: 'draft-2020-12', errorMode: 'throw', ignoreActions: ['to_lower_case'] });
  return rest;
}

function parameters(route: RouteDocs): unknown[] {
  const result: unknown[] = pathParameterNames(route.path).map((name) => {
    const parameter = (PATH_PARAMETERS as Record<string, { schema: v.GenericSchema; description: string } | undefined>)[name];
    if (!parameter) throw new Error(`openapi: path parameter {${name}} of ${route.path} is not in PATH_PARAMETERS`);
    return { name, in: 'path', required: true, description: parameter.description, schema: jsonSchemaOf(parameter.schema) };
  });
  for (const header of route.headers ?? []) {
    result.push({ name: header.name, in: 'header', required: false, description: header.description, schema: jsonSchemaOf(header.schema) });
  }
  if (route.query) {
    const query = jsonSchemaOf(route.query);
    if (query.type !== 'object' || !query.properties)
      throw new Error(`openapi: the query schema of ${route.operationId} is not an object schema`);
    const required = new Set(Array.isArray(query.required) ? query.required : []);
    for (const [name, schema] of Object.entries(query.properties)) {
      result.push({ name, in: 'query', required: required.has(name), schema });
    }
  }
  return result;
}

function operation(route: RouteDocs): Record<string, unknown> {
  const responses: Record<string, unknown> = {};
  for (const [status, schema] of Object.entries(route.responses)) {
    responses[status] = {
      description: 'Success.',
      content: { [route.contentType ?? 'application/json']: { schema: jsonSchemaOf(schema as v.GenericSchema) } },
    };
  }
  if (route.redirect) {
    responses['302'] = { description: route.redirect, headers: { Location: { description: route.redirect, schema: { type: 'string' } } } };
  }
  const errors = new Set<ErrorStatus | 500>([...route.errors, 500]);
  // Every authenticated route sits behind the token check and the API's body limit.
  const auth = route.access !== 'public';
  if (auth) {
    errors.add(401);
    errors.add(413);
  }
  // Who may call it decides two more: a missing permission is a 403, a project the caller may not read a 404.
  if (route.access !== 'public' && route.access !== 'signed-in') errors.add(403);
  if (route.access === 'project:read' || route.access === 'project:write') errors.add(404);
  for (const status of [...errors].sort()) responses[String(status)] = { $ref: `#/components/responses/Error${status}` };
  const parameterList = parameters(route);
  return {
    operationId: route.operationId,
    summary: route.summary,
    tags: [route.tag],
    'x-slipway-access': route.access,
    ...(auth ? {} : { security: [] }),
    ...(parameterList.length ? { parameters: parameterList } : {}),
    ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchemaOf(route.body) } } } } : {}),
    responses,
  };
}

export function buildOpenApiDocument(routes: readonly RouteDocs[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const ids = new Set<string>();
  for (const route of routes) {
    if (ids.has(route.operationId)) throw new Error(`openapi: operationId ${route.operationId} is used twice`);
    ids.add(route.operationId);
    const item = (paths[route.path] ??= {});
    if (item[route.method]) throw new Error(`openapi: ${route.method.toUpperCase()} ${route.path} is listed twice`);
    item[route.method] = operation(route);
  }
  const errorResponses = Object.fromEntries(
    Object.entries(ERROR_RESPONSES).map(([status, description]) => [
      `Error${status}`,
      { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
    ]),
  );
  return {
    openapi: '3.1.0',
    info: {
      title: 'Slipway API',
      version: '1',
      description:
        'The Slipway control plane: it reads state and starts pipeline executions. Every error is `{ "error": { "code", "message", "field"? } }`.',
    },
    servers: [{ url: API_BASE }],
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description:
            'The admin token or an API token (`slw_…`); a browser may instead send the session cookie set by the GitHub sign-in.',
        },
      },
      schemas: { Error: jsonSchemaOf(ErrorBody) },
      responses: errorResponses,
    },
  };
}
