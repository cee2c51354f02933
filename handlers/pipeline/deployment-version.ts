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
  deploymentId: v.optional(v.string()),
  stack: v.object({
    described: v.object({
      Outputs: v.optional(v.array(v.object({ OutputKey: v.string(), OutputValue: v.string() })), []),
      Parameters: v.optional(v.array(v.object({ ParameterKey: v.string(), ParameterValue: v.optional(v.string()) })), []),
    }),
  }),
});

/**
 * The qualifier the router invokes for the deployment being released (live, preview or rollback):
 * the version the stack update just published (or, when CloudFormation had nothing to update, the
 * one the stack already holds for it), which Release writes into the pointer. The output counts
 * only while the described stack runs this deployment; otherwise `stored`, the version an earlier
 * release of the same deployment recorded.
 */
export function deploymentQualifier(state: unknown, stored?: string): string {
  const parsed = v.safeParse(StackOutputs, state);
  const described = parsed.success ? parsed.output.stack.described : { Outputs: [], Parameters: [] };
  const runs = described.Parameters.find((p) => p.ParameterKey === 'DeploymentId')?.ParameterValue;
  const outputs = runs === undefined || runs === (parsed.success ? parsed.output.deploymentId : undefined) ? described.Outputs : [];
  const value =
    (outputs.find((o) => o.OutputKey === DEPLOYMENT_VERSION_OUTPUT) ?? outputs.find((o) => o.OutputKey === EARLIER_VERSION_OUTPUT))
      ?.OutputValue ?? stored;
  if (!value || !FUNCTION_QUALIFIER_PATTERN.test(value)) {
    throw new Error(
      `the project stack has no usable ${DEPLOYMENT_VERSION_OUTPUT} output for this deployment (pipeline input field stack.described.Outputs) and no earlier release recorded one`,
    );
  }
  return value;
}
