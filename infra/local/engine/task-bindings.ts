import { AsyncLocalStorage } from 'node:async_hooks';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as dynamodb from '@aws-sdk/client-dynamodb';
import * as s3 from '@aws-sdk/client-s3';
import { runInPlatform } from '../../../handlers/lib/bindings/platform.js';
import type { Platform, ProjectStacks } from '../../../handlers/lib/bindings/types.js';
import type { AssumeRoleParameters, TemporaryCredentials } from '../auth/credential-issuer.js';
import { placedStates } from './nested-states.js';
import { lambdaLogicalId, type TemplateResource } from './synthesized-workflows.js';
import { DEFAULT_BUILD_TIMEOUT_SECONDS, buildJobTimeoutSeconds } from '../../aws/shared/timeouts.js';

type TaskHandler = (input: unknown) => Promise<unknown>;

/** What a Batch `.sync` step asks for, taken from its Parameters. */
export interface BuildJobRequest {
  jobName: string;
  environment: Record<string, string>;
  timeoutSeconds: number;
}

/** What a running task may learn of its execution: `signal` aborts when the execution is stopped. */
export interface ExecutionScope {
  signal: AbortSignal;
  /**
   * Resolves once the history on disk says the execution entered `state`. Every task waits for it
   * before doing any work, so a crash can never leave work done in a state the history does not
   * show as entered (the restart would then run the state before it and this one again). A task in
   * a Map iteration waits for its Map state: a restart runs that Map again (redrive.ts).
   */
  entered?: (state: string) => Promise<void>;
}

/**
 * The execution a task handler runs for. aws-local-stepfunctions calls a local handler with its input
 * only and does not cancel it when the execution is aborted, so the engine runs each execution in
 * this scope and the handlers that start long work (the build job) stop it when `signal` aborts.
 */
export const executionScope = new AsyncLocalStorage<ExecutionScope>();

/** The local parts that stand where AWS would run a step. */
export interface LocalServices {
  /** Runs a build job; when `options.signal` aborts (the execution was stopped) the job must be killed and the promise reject. */
  runBuildJob(request: BuildJobRequest, options?: { signal?: AbortSignal }): Promise<{ jobId: string; status: 'SUCCEEDED' }>;
  /** CloudFormation calls on tenant stacks; locally the function host holds each project's function. */
  cloudformation(action: string, parameters: Record<string, unknown>): Promise<unknown>;
  /** sts:AssumeRole for a build: temporary credentials bound to the call's session `Policy` (the local issuer's). */
  assumeRole(parameters: AssumeRoleParameters): Promise<{ Credentials: TemporaryCredentials }>;
  /**
   * The platform the tasks work for: Lambda handlers run in it, SDK integrations use its clients. Asked at each task, because the platform's Step Functions endpoint exists only once the engine does.
   */
  platform(): Platform;
}

/** The repository (or dist/) root the compiled handler modules hang off. */
const MODULE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Loads the module a Lambda's Handler property names (`handlers/pipeline/promote.handler`). */
async function loadLambdaHandler(handler: string): Promise<TaskHandler> {
  const dot = handler.lastIndexOf('.');
  const modulePath = handler.slice(0, dot);
  const exportName = handler.slice(dot + 1);
  const candidates = [`${modulePath}.js`, `${modulePath}.ts`].map((file) => join(MODULE_ROOT, file));
  const file = candidates.find((candidate) => existsSync(candidate));
  if (!file) throw new Error(`Lambda handler module for ${handler} not found`);
  const module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  const fn = module[exportName];
  if (typeof fn !== 'function') throw new Error(`${handler}: export ${exportName} is not a function`);
  return fn as TaskHandler;
}

/** SDK errors surface in Step Functions as `<Service>.<ErrorName>`; keep that shape so Retry/Catch match the same way. */
function prefixed(service: string, error: unknown): Error {
  const original = error as Error;
  const wrapped = new Error(original.message);
  wrapped.name = `${service}.${original.name}`;
  return wrapped;
}

type Commands = Record<string, new (input: never) => unknown>;
type SdkClient = { send(command: never): Promise<unknown> };

function sdkCall(client: () => SdkClient, commands: Commands, service: string, action: string): TaskHandler {
  const name = `${action.charAt(0).toUpperCase()}${action.slice(1)}Command`;
  const Command = commands[name];
  if (!Command) throw new Error(`no ${service} command ${name}`);
  return async (input) => {
    try {
      const output = (await client().send(new Command(input as never) as never)) as Record<string, unknown>;
      delete output.$metadata;
      return output;
    } catch (error) {
      throw prefixed(service, error);
    }
  };
}

function buildJobRequest(input: unknown): BuildJobRequest {
  const params = input as {
    JobName: string;
    ContainerOverrides?: { Environment?: Array<{ Name: string; Value: string }> };
    Timeout?: { AttemptDurationSeconds?: number };
  };
  const environment: Record<string, string> = {};
  for (const { Name, Value } of params.ContainerOverrides?.Environment ?? []) environment[Name] = Value;
  // Without an attempt duration in the request Batch applies the job definition's: the platform's default cap and the runner's wrap-up.
  const timeoutSeconds = params.Timeout?.AttemptDurationSeconds ?? buildJobTimeoutSeconds(DEFAULT_BUILD_TIMEOUT_SECONDS);
  return { jobName: params.JobName, environment, timeoutSeconds };
}

/**
 * The platform a Lambda task runs in: the services' platform, its project stacks bound to the same
 * CloudFormation stand-in the SDK tasks reach (as on AWS a Lambda and a state machine call one
 * CloudFormation). One object per services' platform, so what is cached per platform stays cached.
 */
function lambdaPlatformOf(services: LocalServices): () => Platform {
  const made = new WeakMap<Platform, Platform>();
  return () => {
    const platform = services.platform();
    let withStacks = made.get(platform);
    if (!withStacks) {
      // Over the platform itself (its prototype), so a setting changed on it in place is seen here too.
      const projectStacks: ProjectStacks = {
        update: async (request) => {
          await services.cloudformation('updateStack', { ...request });
        },
      };
      withStacks = Object.assign(Object.create(platform) as Platform, { projectStacks });
      made.set(platform, withStacks);
    }
    return withStacks;
  };
}

/**
 * Maps every Task state of a synthesized definition to the local piece that does its work,
 * decided by the state's Resource alone: Lambda ARNs → the handler module the template names,
 * DynamoDB/S3 integrations → SDK calls against the local servers, Batch `.sync` → the sandboxed
 * build runner, CloudFormation → the function host.
 */
export async function bindTasks(
  definition: Record<string, unknown>,
  resources: Record<string, TemplateResource>,
  services: LocalServices,
): Promise<Record<string, TaskHandler>> {
  // The table's document client sends plain DynamoDB commands unchanged (marshalling is in its own commands).
  const dynamoClient = () => services.platform().table;
  const s3Client = () => services.platform().objectStore;
  const bindings: Record<string, TaskHandler> = {};
  const lambdaPlatform = lambdaPlatformOf(services);
  // A Task inside a Map iteration is run by its name too; it waits for the Map state it runs in to be on disk.
  for (const { name: stateName, state, topLevel } of placedStates(definition)) {
    if (state.Type !== 'Task' || !state.Resource) continue;
    const resource = state.Resource;
    const logicalId = lambdaLogicalId(resource);
    let binding: TaskHandler;
    let match: RegExpExecArray | null;
    if (logicalId) {
      const handler = resources[logicalId]?.Properties?.Handler;
      if (typeof handler !== 'string') throw new Error(`state ${stateName}: ${logicalId} is not a Lambda function of the template`);
      const fn = await loadLambdaHandler(handler);
      // The handler runs as one of this platform's, as a Lambda runs as one of its stack's.
      binding = (input) => runInPlatform(lambdaPlatform(), () => fn(input));
    } else if (resource === 'arn:aws:states:::batch:submitJob.sync') {
      binding = async (input) => {
        const request = buildJobRequest(input);
        const signal = executionScope.getStore()?.signal;
        const job = await services.runBuildJob(request, signal ? { signal } : {});
        // The shape of DescribeJobs' job, which is what a `.sync` Batch step returns.
        return { JobId: job.jobId, JobName: request.jobName, Status: job.status };
      };
    } else if ((match = /^arn:aws:states:::dynamodb:(\w+)$/.exec(resource))) {
      binding = sdkCall(dynamoClient, dynamodb as unknown as Commands, 'DynamoDB', match[1] as string);
    } else if ((match = /^arn:aws:states:::aws-sdk:(\w+):(\w+)$/.exec(resource))) {
      const [, service, action] = match as unknown as [string, string, string];
      if (service === 'cloudformation') binding = (input) => services.cloudformation(action, input as Record<string, unknown>);
      else if (service === 'sts' && action === 'assumeRole') binding = (input) => services.assumeRole(input as AssumeRoleParameters);
      else if (service === 'dynamodb') binding = sdkCall(dynamoClient, dynamodb as unknown as Commands, 'DynamoDb', action);
      else if (service === 's3') binding = sdkCall(s3Client, s3 as unknown as Commands, 'S3', action);
      else throw new Error(`state ${stateName}: no local binding for aws-sdk service ${service}`);
    } else {
      throw new Error(`state ${stateName}: no local binding for resource ${resource}`);
    }
    bindings[stateName] = async (input) => {
      await executionScope.getStore()?.entered?.(topLevel);
      return binding(input);
    };
  }
  return bindings;
}
