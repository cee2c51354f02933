import * as v from 'valibot';
import { FUNCTION_QUALIFIER_PATTERN } from '../lib/names.js';

/**
 * The project stack's output naming the function version its last update published (a version
 * per DeploymentId; locally the deployment id itself).
 */
export const DEPLOYMENT_VERSION_OUTPUT = 'DeploymentVersion';

/** `$.stack.described` as the workflow's DescribeStacks step leaves it (CloudFormation's Stacks[0]). */
const StackOutputs = v.object({
  stack: v.object({
    described: v.object({ Outputs: v.optional(v.array(v.object({ OutputKey: v.string(), OutputValue: v.string() })), []) }),
  }),
});

/**
 * The qualifier the router invokes for the deployment being released (live, preview or rollback):
 * the version the stack update just published, which Release writes into the pointer.
 */
export function deploymentQualifier(state: unknown): string {
  const parsed = v.safeParse(StackOutputs, state);
  const value = parsed.success
    ? parsed.output.stack.described.Outputs.find((o) => o.OutputKey === DEPLOYMENT_VERSION_OUTPUT)?.OutputValue
    : undefined;
  if (!value || !FUNCTION_QUALIFIER_PATTERN.test(value)) {
    throw new Error(`the project stack has no usable ${DEPLOYMENT_VERSION_OUTPUT} output (pipeline input field stack.described.Outputs)`);
  }
  return value;
}
