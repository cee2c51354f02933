import { createHash, randomUUID } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { FunctionHost } from './function-host/index.js';
import type { LocalServices } from './engine/task-bindings.js';
import { DEPLOYMENT_VERSION_OUTPUT } from '../../handlers/pipeline/deployment-version.js';
import { RUNTIME_ENV_PARAMETER } from '../../handlers/lib/project-settings/function-environment.js';

const STACK_PREFIX = 'slipway-project-';

/** The exact message CloudFormation's UpdateStack answers when the stack already has what it asks for. */
export const NO_UPDATES_MESSAGE = 'No updates are to be performed.';

/** One project stack as CloudFormation describes it. */
interface LocalStack {
  id: string;
  status: string;
  reason?: string;
  /** Resolved parameter values (UsePreviousValue applied). */
  parameters: Record<string, string>;
  /** The DeploymentVersion output; locally the deployment id. */
  version?: string;
  /** The TemplateURL it was created or last updated from (a template's identity here: its URL names its digest). */
  template?: string;
  tags?: Record<string, string>;
}

type StackTag = { Key: string; Value: string };

function tagsOf(request: Record<string, unknown>): Record<string, string> | undefined {
  const tags = request.Tags as StackTag[] | undefined;
  return tags ? Object.fromEntries(tags.map((t) => [t.Key, t.Value])) : undefined;
}

type StackParameter = { ParameterKey: string; ParameterValue?: string; UsePreviousValue?: boolean };

/** The template's NoEcho parameters: DescribeStacks shows them as CloudFormation does. */
const NO_ECHO = new Set([RUNTIME_ENV_PARAMETER]);
const MASKED = '****';

/**
 * What the stand-in keeps of a given value: a NoEcho one (runtime variables, secrets decrypted) only
 * as its digest, so the stacks file never holds it and an unchanged value still compares equal.
 * Locally the function host reads a deployment's variables itself (runtime-env.ts).
 */
function kept(parameter: StackParameter): string {
  const value = parameter.ParameterValue ?? '';
  return NO_ECHO.has(parameter.ParameterKey) ? `sha256:${createHash('sha256').update(value).digest('hex')}` : value;
}

/** An error as a Step Functions `aws-sdk:cloudformation` task reports it: `CloudFormation.<code>`. */
function cfnError(code: string, message: string): Error {
  return Object.assign(new Error(message), { name: `CloudFormation.${code}` });
}

/** States from which CloudFormation accepts an UpdateStack (its stack status documentation). */
const UPDATABLE = new Set(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE', 'IMPORT_COMPLETE']);

/** Reads the stacks file; the earlier format held only each stack's version (every such stack was updated). */
function loadStacks(stateFile: string | undefined): Map<string, LocalStack> {
  const stacks = new Map<string, LocalStack>();
  if (!stateFile) return stacks;
  let saved: Record<string, LocalStack | string>;
  try {
    saved = JSON.parse(readFileSync(stateFile, 'utf8')) as Record<string, LocalStack | string>;
  } catch {
    return stacks; // First start: no stack exists yet.
  }
  for (const [name, entry] of Object.entries(saved)) {
    stacks.set(
      name,
      typeof entry === 'string'
        ? {
            id: stackId(name),
            status: 'UPDATE_COMPLETE',
            parameters: { Project: name.slice(STACK_PREFIX.length), DeploymentId: entry },
            version: entry,
          }
        : entry,
    );
  }
  return stacks;
}

/** A new stack's id: a stack created again under the same name gets another, as on CloudFormation. */
function stackId(name: string): string {
  return `arn:aws:cloudformation:us-east-1:000000000000:stack/${name}/${randomUUID()}`;
}

/**
 * CloudFormation calls on per-project stacks; locally each stack's resources are the project's
 * function in the function host. The calls answer as CloudFormation does — the same status names,
 * `AlreadyExistsException`, the ValidationErrors for a missing stack, a stack that cannot be updated
 * and "No updates are to be performed." — so the workflows' lifecycle steps run unchanged. The work
 * is done before a call returns, but while it runs the stack shows `*_IN_PROGRESS` and refuses
 * another change, as CloudFormation does. A failing resource (the host refusing) rolls the stack back:
 * a creation ends in ROLLBACK_COMPLETE, an update in UPDATE_ROLLBACK_COMPLETE, a deletion in DELETE_FAILED.
 */
export function localCloudFormation(
  host: Pick<FunctionHost, 'prepare' | 'remove'> & Partial<Pick<FunctionHost, 'configure' | 'warm'>>,
  /**
   * Where the stacks are kept, so that an execution resumed after a restart between *Update
   * project stack* and *Release* still describes the version it published.
   */
  stateFile?: string,
): LocalServices['cloudformation'] {
  const stacks = loadStacks(stateFile);
  /** Deleted stacks, by id: DescribeStacks by id still answers DELETE_COMPLETE (by name they do not exist). */
  const deleted = new Map<string, LocalStack>();
  const save = () => {
    if (!stateFile) return;
    writeFileSync(`${stateFile}.tmp`, JSON.stringify(Object.fromEntries(stacks)));
    renameSync(`${stateFile}.tmp`, stateFile);
  };

  const configure = (project: string, parameters: Record<string, string>) => {
    // The subscription's function limits, as the stack's FunctionTimeout and MemorySize parameters.
    const timeout = Number(parameters.FunctionTimeout);
    const memory = Number(parameters.MemorySize);
    if (host.configure && (timeout > 0 || memory > 0)) {
      host.configure(project, { ...(timeout > 0 ? { timeoutMs: timeout * 1000 } : {}), ...(memory > 0 ? { memoryMb: memory } : {}) });
    }
  };

  // The function settings of the stacks already there (a restart): as on Lambda, a function keeps
  // its memory and timeout; without this its workers would run at the host's defaults until its next update.
  for (const [name, stack] of stacks) {
    if (name.startsWith(STACK_PREFIX) && !stack.status.startsWith('DELETE')) configure(name.slice(STACK_PREFIX.length), stack.parameters);
  }

  const describe = (stack: LocalStack, name: string) => ({
    StackName: name,
    StackId: stack.id,
    StackStatus: stack.status,
    ...(stack.reason ? { StackStatusReason: stack.reason } : {}),
    Parameters: Object.entries(stack.parameters).map(([ParameterKey, ParameterValue]) => ({
      ParameterKey,
      ParameterValue: NO_ECHO.has(ParameterKey) ? MASKED : ParameterValue,
    })),
    Outputs: stack.version ? [{ OutputKey: DEPLOYMENT_VERSION_OUTPUT, OutputValue: stack.version }] : [],
    Tags: Object.entries(stack.tags ?? {}).map(([Key, Value]) => ({ Key, Value })),
  });

  return async (action, request) => {
    const stackName = String(request.StackName ?? '');
    // A stack is named by its name or by its id (`arn:…:stack/{name}/{uuid}`), as on CloudFormation.
    const name = [...stacks].find(([, stack]) => stack.id === stackName)?.[0] ?? stackName;
    if (action === 'describeStacks') {
      // Without a name: every stack there is (deleted ones are described by id only), as on CloudFormation.
      if (request.StackName === undefined) return { Stacks: [...stacks].map(([stackName, stack]) => describe(stack, stackName)) };
      const live = stacks.get(name);
      if (live) return { Stacks: [describe(live, name)] };
      const gone = deleted.get(stackName);
      if (gone) return { Stacks: [describe(gone, gone.id.split('/')[1] ?? stackName)] };
      throw cfnError('ValidationError', `Stack with id ${stackName} does not exist`);
    }
    if (action === 'deleteStack' && deleted.has(stackName)) return {};
    if (!name.startsWith(STACK_PREFIX)) throw cfnError('ValidationError', `stack ${stackName} is not a project stack`);
    const project = name.slice(STACK_PREFIX.length);
    const given = (request.Parameters ?? []) as StackParameter[];
    const existing = stacks.get(name);

    switch (action) {
      case 'createStack': {
        if (existing) throw cfnError('AlreadyExistsException', `Stack [${name}] already exists`);
        const parameters = Object.fromEntries(given.map((p) => [p.ParameterKey, kept(p)]));
        const tags = tagsOf(request);
        const stack: LocalStack = {
          id: stackId(name),
          status: 'CREATE_IN_PROGRESS',
          parameters,
          ...(typeof request.TemplateURL === 'string' ? { template: request.TemplateURL } : {}),
          ...(tags ? { tags } : {}),
        };
        stacks.set(name, stack);
        try {
          configure(project, parameters);
          stack.status = 'CREATE_COMPLETE';
        } catch (error) {
          stack.status = 'ROLLBACK_COMPLETE';
          stack.reason = `The following resource(s) failed to create: [Function]. ${(error as Error).message}`;
        }
        save();
        return { StackId: stack.id };
      }
      case 'updateStack': {
        if (!existing) throw cfnError('ValidationError', `Stack [${name}] does not exist`);
        if (!UPDATABLE.has(existing.status)) {
          throw cfnError('ValidationError', `Stack:${existing.id} is in ${existing.status} state and can not be updated.`);
        }
        // An omitted parameter takes its default, as on CloudFormation: only what is given is kept.
        const parameters = Object.fromEntries(
          given.map((p) => [p.ParameterKey, p.UsePreviousValue ? (existing.parameters[p.ParameterKey] ?? '') : kept(p)]),
        );
        const template = request.UsePreviousTemplate === true ? existing.template : (request.TemplateURL as string | undefined);
        // Tags left out of an update stay as they are.
        const tags = tagsOf(request) ?? existing.tags;
        const same = (a: Record<string, string> | undefined, b: Record<string, string> | undefined) =>
          JSON.stringify(sortedEntries(a ?? {})) === JSON.stringify(sortedEntries(b ?? {}));
        if (template === existing.template && same(parameters, existing.parameters) && same(tags, existing.tags)) {
          throw cfnError('ValidationError', NO_UPDATES_MESSAGE);
        }
        const before = { parameters: existing.parameters, version: existing.version, template: existing.template, tags: existing.tags };
        existing.status = 'UPDATE_IN_PROGRESS';
        delete existing.reason;
        try {
          configure(project, parameters);
          // Fetch the new version's server files and start its worker now, before Release moves the
          // pointer, so its first request does not pay for either (a worker that fails to start is
          // left for that request to report, as a failed Lambda init is).
          const deploymentId = parameters.DeploymentId;
          if (deploymentId && deploymentId !== 'none') {
            await (host.warm ? host.warm(project, deploymentId) : host.prepare(project, deploymentId));
          }
          existing.parameters = parameters;
          existing.version = deploymentId && deploymentId !== 'none' ? deploymentId : undefined;
          existing.template = template;
          existing.tags = tags;
          existing.status = 'UPDATE_COMPLETE';
        } catch (error) {
          Object.assign(existing, before);
          existing.status = 'UPDATE_ROLLBACK_COMPLETE';
          existing.reason = `The following resource(s) failed to update: [Function]. ${(error as Error).message}`;
        }
        save();
        return { StackId: existing.id };
      }
      case 'deleteStack': {
        // Deleting a stack that does not exist succeeds, as on CloudFormation.
        if (!existing || existing.status === 'DELETE_IN_PROGRESS') return {};
        existing.status = 'DELETE_IN_PROGRESS';
        delete existing.reason;
        try {
          await host.remove(project);
          stacks.delete(name);
          deleted.set(existing.id, { ...existing, status: 'DELETE_COMPLETE' });
        } catch (error) {
          existing.status = 'DELETE_FAILED';
          existing.reason = `The following resource(s) failed to delete: [Function]. ${(error as Error).message}`;
        }
        save();
        return {};
      }
      default:
        throw cfnError('ValidationError', `CloudFormation action ${action} has no local binding`);
    }
  };
}

function sortedEntries(record: Record<string, string>): Array<[string, string]> {
  return Object.entries(record).sort(([a], [b]) => a.localeCompare(b));
}
