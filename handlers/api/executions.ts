import { randomBytes } from 'node:crypto';
import { DescribeExecutionCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { bound } from '../lib/bindings/platform.js';
import { OPERATIONS, type Operation, signTicket } from '../lib/ticket.js';
import { sfnClient } from '../lib/clients.js';
import { ticketKey } from '../lib/ticket-key.js';
import type { PipelineLimits } from '../lib/limits.js';
import type { Workflow } from './schemas.js';

/** The state machine of each workflow, as the platform's execution starter names them. */
export function stateMachineArnFor(operation: Operation): string {
  const arn = bound('executions', 'no execution starter is bound: the entry point must bind the platform first').stateMachines[operation];
  if (!arn) throw new Error(`the platform names no state machine for ${operation}`);
  return arn;
}

/** The state machines an operator lists executions of, by workflow: the pipeline's, and the template rollout where the platform names it. */
export function platformMachines(): Array<{ workflow: Workflow; stateMachineArn: string }> {
  const rollout = bound('executions', 'no execution starter is bound: the entry point must bind the platform first').templateRollout;
  return [
    ...OPERATIONS.map((workflow) => ({ workflow, stateMachineArn: stateMachineArnFor(workflow) })),
    ...(rollout ? [{ workflow: 'template-rollout' as const, stateMachineArn: rollout }] : []),
  ];
}

export function allStateMachineArns(): string[] {
  return platformMachines().map((machine) => machine.stateMachineArn);
}

/** `d-<ms since epoch, base 36>-<random>`: unique, and sorts by creation time. */
export function newDeploymentId(): string {
  return `d-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

/**
 * Execution names tell an operator what ran at a glance: `<project>--<operation>--[<commit>--]<id>`
 * (Step Functions allows 80 characters; the commit is left out when it would not fit).
 */
export function executionName(project: string, operation: Operation, id: string, commit?: string): string {
  const withCommit = commit ? `${project}--${operation}--${commit.slice(0, 7)}--${id}` : undefined;
  if (withCommit && withCommit.length <= 80) return withCommit;
  return `${project}--${operation}--${id}`.slice(0, 80);
}

export interface StartRequest {
  operation: Operation;
  project: string;
  user: string;
  name: string;
  source: string;
  destination: string;
  input: Record<string, unknown>;
  /** Signed into the ticket: the pipeline enforces these, never anything unsigned. */
  limits?: PipelineLimits;
  /** Signed into the ticket, so the pipeline releases under the alias the API accepted. */
  preview?: string;
}

/** Signs a fresh ticket for exactly this execution and starts it; the API never does pipeline work itself. */
export async function startExecution(request: StartRequest): Promise<{ executionArn: string }> {
  // The deployment the input names is the one the ticket binds: a step refuses a state naming another.
  const deploymentId = typeof request.input.deploymentId === 'string' ? request.input.deploymentId : undefined;
  const ticket = await signTicket(
    {
      op: request.operation,
      project: request.project,
      user: request.user,
      source: request.source,
      destination: request.destination,
      executionName: request.name,
      ...(deploymentId !== undefined ? { deploymentId } : {}),
      ...(request.preview !== undefined ? { preview: request.preview } : {}),
      ttlSeconds: 2 * 3600,
      ...(request.limits ? { limits: request.limits } : {}),
    },
    await ticketKey(),
  );
  const result = await sfnClient().send(
    new StartExecutionCommand({
      stateMachineArn: stateMachineArnFor(request.operation),
      name: request.name,
      input: JSON.stringify({ ticket, project: request.project, ...request.input }),
    }),
  );
  if (!result.executionArn) throw new Error('StartExecution returned no executionArn');
  return { executionArn: result.executionArn };
}

/** The ARN of a named execution of a state machine (the same rule Step Functions uses). */
export function executionArnOf(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

/** The status of an execution (RUNNING, SUCCEEDED, FAILED, ABORTED, TIMED_OUT…), or undefined when it does not exist. */
export async function executionStatus(executionArn: string): Promise<string | undefined> {
  try {
    return (await sfnClient().send(new DescribeExecutionCommand({ executionArn }))).status ?? 'UNKNOWN';
  } catch (error) {
    if ((error as Error).name === 'ExecutionDoesNotExist') return undefined;
    throw error;
  }
}
