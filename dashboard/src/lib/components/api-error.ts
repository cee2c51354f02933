import { errorMessage, type ApiErrorBody } from '$lib/api/client';

/** An API refusal as a form shows it: the message, and which input it names (`body.name` → `name`). */
export interface FormError {
  field?: string;
  message: string;
}

export function formError(body: unknown, fallback?: string): FormError {
  const field = (body as Partial<ApiErrorBody> | undefined)?.error?.field;
  const message = errorMessage(body, fallback);
  return field ? { field: field.replace(/^(body|path|query)\./, ''), message } : { message };
}

/** The message for `field` when the error names it. */
export function errorFor(error: FormError | undefined, ...fields: string[]): string | undefined {
  return error?.field && fields.includes(error.field) ? error.message : undefined;
}

/** The message when the error names none of the form's fields (shown above the form's button). */
export function otherError(error: FormError | undefined, ...fields: string[]): string | undefined {
  return error && !(error.field && fields.includes(error.field)) ? error.message : undefined;
}
