import type { Context } from 'hono';
import { ApiError, parse } from './errors.js';
import type { Caller } from './auth.js';
import type * as v from 'valibot';

export interface ApiEnv {
  Variables: { caller: Caller };
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
