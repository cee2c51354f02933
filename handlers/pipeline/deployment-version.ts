import * as v from 'valibot';
import { FUNCTION_QUALIFIER_PATTERN } from '../lib/names.js';

/**
 * The project stack's output naming the function version its last update published (a version
 * per DeploymentId; locally the deployment id itself).
 */
export const DEPLOYMENT_VERSION_OUTPUT = 'DeploymentVersion';

/**
 * The same version's output in project stacks created from the template with a `live` alias:
 * updates reuse a stack's template, so those stacks name it so until they are recreated.
 */
const EARLIER_VERSION_OUTPUT = 'PreviewVersion';

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
  const outputs = parsed.success ? parsed.output.stack.described.Outputs : [];
  const value = (
    outputs.find((o) => o.OutputKey === DEPLOYMENT_VERSION_OUTPUT) ?? outputs.find((o) => o.OutputKey === EARLIER_VERSION_OUTPUT)
  )?.OutputValue;
  if (!value || !FUNCTION_QUALIFIER_PATTERN.test(value)) {
    throw new Error(`the project stack has no usable ${DEPLOYMENT_VERSION_OUTPUT} output (pipeline input field stack.described.Outputs)`);
  }
  return value;
}
