import * as v from 'valibot';

export type ErrorCode =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'Conflict'
  | 'PayloadTooLarge'
  | 'LimitExceeded'
  | 'Internal';

const STATUS: Record<ErrorCode, 400 | 401 | 403 | 404 | 409 | 413 | 429 | 500> = {
  BadRequest: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  Conflict: 409,
  PayloadTooLarge: 413,
  LimitExceeded: 429,
  Internal: 500,
};

/** An error the API answers with as `{ error: { code, message, field? } }`. */
export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }

  get status(): 400 | 401 | 403 | 404 | 409 | 413 | 429 | 500 {
    return STATUS[this.code];
  }

  toJSON(): { error: { code: ErrorCode; message: string; field?: string } } {
    return { error: { code: this.code, message: this.message, ...(this.field ? { field: this.field } : {}) } };
  }
}

/** Valibot's first issue, as a 400 that names the field (`body.source.key`, `query.cursor`). */
export function invalid(where: 'body' | 'query' | 'path', issues: [v.BaseIssue<unknown>, ...v.BaseIssue<unknown>[]]): ApiError {
  const issue = issues[0];
  const path = v.getDotPath(issue);
  const field = path ? `${where}.${path}` : where;
  return new ApiError('BadRequest', `${field} is invalid: ${issue.message}`, field);
}

export function parse<const S extends v.GenericSchema>(schema: S, value: unknown, where: 'body' | 'query' | 'path'): v.InferOutput<S> {
  const result = v.safeParse(schema, value);
  if (!result.success) throw invalid(where, result.issues);
  return result.output;
}
