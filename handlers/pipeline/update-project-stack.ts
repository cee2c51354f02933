import * as v from 'valibot';
import { projectStacks } from '../lib/bindings/bound.js';
import { DEFAULT_PIPELINE_LIMITS } from '../lib/limits.js';
import { instrumented } from '../lib/observability.js';
import { functionRuntimeEnvironment, RUNTIME_ENV_PARAMETER } from '../lib/project-settings/function-environment.js';
import { runtimeEnvironment } from '../lib/project-settings/runtime-env.js';
import { openState, requireDeploymentId } from './state.js';
import { platformStage } from '../lib/config.js';
import { projectStackName } from '../lib/stage.js';

/**
 * The stack call's constants, written into the state machine's definition (workflows/steps.ts
 * `updateProjectStack`), never taken from the state: the current per-project template, its version
 * tag and CloudFormation's service role for tenant stacks.
 */
const StackCall = v.object({
  TemplateURL: v.pipe(v.string(), v.minLength(1)),
  Tags: v.array(v.object({ Key: v.string(), Value: v.string() })),
  RoleARN: v.pipe(v.string(), v.minLength(1)),
});
const UpdateInput = v.looseObject({ stackCall: StackCall });

/**
 * *Update project stack* (deploy and rollback): points the project's stack at the state's
 * deployment — its code, its limits and its runtime variables — so CloudFormation publishes a
 * version that keeps all three. The variables are the deployment's snapshot (what *Prepare build*
 * took), secrets decrypted here and handed to CloudFormation as a NoEcho parameter: they never enter
 * the state, the execution's history or this step's result, which says only how many there were. A
 * rollback passes the snapshot of the deployment it returns to, so it serves that deployment's
 * variables again. CloudFormation's refusals ("No updates are to be performed.", a stack still in
 * progress) are thrown as they come: the workflow tells them apart by their message.
 */
async function updateProjectStack(event: unknown): Promise<{ runtimeVariables: number }> {
  const { state, claims } = await openState(event, ['build-deploy', 'rollback']);
  const parsed = v.safeParse(UpdateInput, event);
  if (!parsed.success) throw new Error(`pipeline input field ${v.getDotPath(parsed.issues[0]) ?? '(root)'} is invalid`);
  const { stackCall } = parsed.output;
  const deploymentId = requireDeploymentId(state);
  const variables = await runtimeEnvironment(state.project, deploymentId);
  const encoded = functionRuntimeEnvironment(state.project, deploymentId, variables);
  // The subscription's function limits, from the verified ticket itself.
  const limits = claims.limits ?? DEFAULT_PIPELINE_LIMITS;
  await projectStacks().update({
    StackName: projectStackName(platformStage(), state.project),
    // The current template, never the stack's previous one: a stack created from an older template
    // is upgraded by this same update (a template change alone publishes no version: see project-stack.ts).
    TemplateURL: stackCall.TemplateURL,
    Tags: stackCall.Tags,
    RoleARN: stackCall.RoleARN,
    Capabilities: ['CAPABILITY_IAM'],
    Parameters: [
      { ParameterKey: 'Project', UsePreviousValue: true },
      { ParameterKey: 'DeploymentId', ParameterValue: deploymentId },
      { ParameterKey: 'MemorySize', ParameterValue: String(limits.functionMemoryMb) },
      { ParameterKey: 'FunctionTimeout', ParameterValue: String(limits.functionTimeoutSeconds) },
      { ParameterKey: RUNTIME_ENV_PARAMETER, ParameterValue: encoded },
    ],
  });
  return { runtimeVariables: Object.keys(variables).length };
}

export const handler = instrumented('update-project-stack', updateProjectStack);
