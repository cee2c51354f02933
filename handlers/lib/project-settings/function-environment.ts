import { MAX_RUNTIME_ENV_BYTES } from './schemas.js';

/**
 * How a deployment's runtime variables reach its function on AWS (docs/ARCHITECTURE.md, "Runtime
 * variables on AWS"): *Update project stack* passes them to the project stack as the NoEcho
 * parameter RUNTIME_ENV_PARAMETER, the template puts that into the function's one variable
 * RUNTIME_ENV_VARIABLE, and the version CloudFormation publishes keeps it for good. The adapter's
 * handler spreads it into `process.env` before any app code runs.
 */

/** The project stack's NoEcho parameter holding the encoded runtime variables. */
export const RUNTIME_ENV_PARAMETER = 'RuntimeEnvironment';
/** The tenant function's variable holding them (JSON of name → value). */
export const RUNTIME_ENV_VARIABLE = 'SLIPWAY_RUNTIME_ENV';
/** What the parameter holds when a stack has no deployment's variables (init, or a stack from before them). */
export const NO_RUNTIME_ENV = '{}';

/** The variables the template itself sets on every tenant function, beside RUNTIME_ENV_VARIABLE. */
export function platformVariables(project: string, deploymentId: string): Record<string, string> {
  return { NODE_ENV: 'production', SLIPWAY_PROJECT: project, SLIPWAY_DEPLOYMENT_ID: deploymentId };
}

/** One deterministic text for a set of variables (sorted by name), so the same set is no stack change. */
export function encodeRuntimeEnvironment(variables: Record<string, string>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(variables).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
}

/**
 * The size of the function's whole environment as Lambda limits it: every name and value, counted
 * as the JSON of the variables map (the larger of the ways it can be measured, so a set that fits
 * here fits on Lambda), with the encoded runtime variables escaped inside it.
 */
export function functionEnvironmentBytes(project: string, deploymentId: string, encoded: string): number {
  return Buffer.byteLength(JSON.stringify({ ...platformVariables(project, deploymentId), [RUNTIME_ENV_VARIABLE]: encoded }), 'utf8');
}

/** The runtime variables do not fit the function's environment; the message is JSON naming the limit. */
export class RuntimeEnvironmentTooLarge extends Error {
  constructor(
    readonly bytes: number,
    readonly variables: number,
  ) {
    super(
      JSON.stringify({
        error: 'RuntimeEnvironmentTooLarge',
        limit: 'MAX_RUNTIME_ENV_BYTES',
        maxBytes: MAX_RUNTIME_ENV_BYTES,
        bytes,
        variables,
        message: `the function's environment would take ${bytes} bytes (${variables} runtime variables, their names, values and encoding, and the platform's own variables), over Lambda's limit of ${MAX_RUNTIME_ENV_BYTES} bytes: remove or shorten runtime variables (or set them to target build)`,
      }),
    );
    this.name = 'RuntimeEnvironmentTooLarge';
  }
}

/** The encoded runtime variables of a deployment, refused (RuntimeEnvironmentTooLarge) when the function's environment would not fit. */
export function functionRuntimeEnvironment(project: string, deploymentId: string, variables: Record<string, string>): string {
  const encoded = encodeRuntimeEnvironment(variables);
  const bytes = functionEnvironmentBytes(project, deploymentId, encoded);
  if (bytes > MAX_RUNTIME_ENV_BYTES) throw new RuntimeEnvironmentTooLarge(bytes, Object.keys(variables).length);
  return encoded;
}
