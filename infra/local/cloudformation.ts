import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { FunctionHost } from './function-host/index.js';
import type { LocalServices } from './engine/task-bindings.js';
import { DEPLOYMENT_VERSION_OUTPUT } from '../../handlers/pipeline/deployment-version.js';

const STACK_PREFIX = 'slipway-project-';

/**
 * CloudFormation calls on per-project stacks; locally each "stack" is the project's function in
 * the function host. Calls complete synchronously, so a stack is settled as soon as it is described.
 */
export function localCloudFormation(
  host: Pick<FunctionHost, 'prepare' | 'remove'> & Partial<Pick<FunctionHost, 'configure' | 'warm'>>,
  /**
   * Where the stacks' versions are kept, so that an execution resumed after a restart between
   * *Update project stack* and *Release* still describes the version it published.
   */
  stateFile?: string,
): LocalServices['cloudformation'] {
  const statuses = new Map<string, string>();
  // Locally a function "version" is the deployment id (the function host runs one worker per deployment).
  const versions = new Map<string, string>();
  if (stateFile) {
    try {
      for (const [stack, version] of Object.entries(JSON.parse(readFileSync(stateFile, 'utf8')) as Record<string, string>))
        versions.set(stack, version);
    } catch {
      // First start: no stack has a version yet.
    }
  }
  const saveVersions = () => {
    if (!stateFile) return;
    writeFileSync(`${stateFile}.tmp`, JSON.stringify(Object.fromEntries(versions)));
    renameSync(`${stateFile}.tmp`, stateFile);
  };
  return async (action, parameters) => {
    const stackName = String(parameters.StackName ?? '');
    if (!stackName.startsWith(STACK_PREFIX))
      throw Object.assign(new Error(`stack ${stackName} is not a project stack`), { name: 'CloudFormation.ValidationError' });
    const project = stackName.slice(STACK_PREFIX.length);
    const stackId = `arn:aws:cloudformation:us-east-1:000000000000:stack/${stackName}/local`;
    const params = (parameters.Parameters ?? []) as Array<{ ParameterKey: string; ParameterValue?: string }>;
    const param = (key: string) => params.find((p) => p.ParameterKey === key)?.ParameterValue;
    const deploymentId = param('DeploymentId');
    // The subscription's function limits, as the stack's FunctionTimeout and MemorySize parameters.
    const timeout = Number(param('FunctionTimeout'));
    const memory = Number(param('MemorySize'));
    if ((action === 'updateStack' || action === 'createStack') && host.configure && (timeout > 0 || memory > 0)) {
      host.configure(project, { ...(timeout > 0 ? { timeoutMs: timeout * 1000 } : {}), ...(memory > 0 ? { memoryMb: memory } : {}) });
    }
    switch (action) {
      case 'createStack':
        statuses.set(stackName, 'CREATE_COMPLETE');
        return { StackId: stackId };
      case 'updateStack':
        // Fetch the new version's server files and start its worker now, before Release moves the
        // pointer, so its first request does not pay for either (a worker that fails to start is
        // left for that request to report, as a failed Lambda init is).
        if (deploymentId && deploymentId !== 'none') {
          await (host.warm ? host.warm(project, deploymentId) : host.prepare(project, deploymentId));
          versions.set(stackName, deploymentId);
          saveVersions();
        }
        statuses.set(stackName, 'UPDATE_COMPLETE');
        return { StackId: stackId };
      case 'describeStacks': // Projects created before a restart have no entry; their stack exists all the same.
        {
          const version = versions.get(stackName);
          const Outputs = version ? [{ OutputKey: DEPLOYMENT_VERSION_OUTPUT, OutputValue: version }] : [];
          return {
            Stacks: [{ StackName: stackName, StackId: stackId, StackStatus: statuses.get(stackName) ?? 'UPDATE_COMPLETE', Outputs }],
          };
        }
      case 'deleteStack':
        await host.remove(project);
        statuses.delete(stackName);
        versions.delete(stackName);
        saveVersions();
        return {};
      default:
        throw Object.assign(new Error(`CloudFormation action ${action} has no local binding`), { name: 'CloudFormation.ValidationError' });
    }
  };
}
