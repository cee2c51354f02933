import type { Context } from 'hono';
import { ApiError, parse } from './errors.js';
import type { Caller } from './auth.js';
import type { ProjectRecord } from './records.js';
import type * as v from 'valibot';

export interface ApiEnv {
  /** `project`: set by the access check on /projects/{name}/* (app.ts), read once per request. */
  Variables: { caller: Caller; project?: ProjectRecord };
}

/**
 * The project of a /projects/{name}/* route, as the access check in app.ts read it for this
 * request: routes use it rather than reading the META item a second time.
 */
export function accessedProject(c: Context<ApiEnv>): ProjectRecord {
  const project = c.get('project');
  if (!project) throw new Error('accessedProject: the /projects/{name} access check did not run for this route');
  return project;
}

/** Reads and validates a JSON body; a body that is not JSON is a 400 naming `body`. */
export async function jsonBody<const S extends v.GenericSchema>(c: Context<ApiEnv>, schema: S): Promise<v.InferOutput<S>> {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw new ApiError('BadRequest', 'body must be a JSON document (Content-Type: application/json)', 'body');
  }
  return parse(schema, body, 'body');
}
