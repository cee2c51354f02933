/**
 * A tenant function answered with a FunctionError. Its payload (errorType, errorMessage, stack) is
 * for the operator's log only: it may hold anything the function knows.
 */
export class TenantFunctionError extends Error {
  /** Lambda stopped the function at its timeout (errorType Sandbox.Timedout, or "Task timed out after …"). */
  readonly timedOut: boolean;

  constructor(functionName: string, functionError: string, payload: string) {
    super(`${functionName} failed (${functionError}): ${payload.slice(0, 500)}`);
    this.name = 'TenantFunctionError';
    this.timedOut = /Sandbox\.Timedout|Task timed out after/.test(payload);
  }
}
