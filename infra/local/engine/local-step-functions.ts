import './promise-with-resolvers.js';
import { StateMachine } from 'aws-local-stepfunctions';

type EventLog = ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;
import { bindTasks, executionScope, type LocalServices } from './task-bindings.js';
import { ExecutionStore, type ExecutionRecord, type HistoryEvent } from './execution-store.js';
import { LOCAL_ACCOUNT, LOCAL_REGION, type SynthesizedPlatform, type SynthesizedWorkflow } from './synthesized-workflows.js';

export class ExecutionAlreadyExists extends Error {
  override name = 'ExecutionAlreadyExists';
}
export class StateMachineDoesNotExist extends Error {
  override name = 'StateMachineDoesNotExist';
}
export class ExecutionDoesNotExist extends Error {
  override name = 'ExecutionDoesNotExist';
}

export function stateMachineArn(name: string): string {
  return `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:${name}`;
}

function executionArn(machine: string, name: string): string {
  return `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:execution:${machine}:${name}`;
}

interface Loaded {
  workflow: SynthesizedWorkflow;
  machine: StateMachine;
  tasks: Awaited<ReturnType<typeof bindTasks>>;
  stateTypes: Map<string, string>;
  waitOverrides: Record<string, number>;
}

/**
 * Every Wait in Slipway's workflows paces a poll of AWS work (a stack update) that the local
 * stand-ins finish before they return, so locally a Wait only yields briefly.
 */
const LOCAL_WAIT_MS = 50;

/**
 * Step Functions on one machine: runs the synthesized definitions with aws-local-stepfunctions,
 * each Task bound to its local piece, and keeps every execution's history on disk.
 */
export class LocalStepFunctions {
  private readonly machines = new Map<string, Loaded>();
  private readonly running = new Map<string, { abort: () => void; done: Promise<void> }>();

  private constructor(private readonly store: ExecutionStore) {}

  static async create(platform: SynthesizedPlatform, services: LocalServices, stateDir: string): Promise<LocalStepFunctions> {
    const engine = new LocalStepFunctions(new ExecutionStore(stateDir));
    for (const workflow of platform.workflows.values()) {
      // The interpreter annotates the definition it is given (QueryLanguage defaults); keep the synthesized one intact.
      const machine = new StateMachine(structuredClone(workflow.definition) as never, { validationOptions: { checkArn: false, checkPaths: false } });
      const tasks = await bindTasks(workflow.definition, platform.resources, services);
      const stateTypes = new Map(Object.entries(workflow.definition.States as Record<string, { Type: string }>).map(([name, s]) => [name, s.Type]));
      const waitOverrides = Object.fromEntries([...stateTypes].filter(([, type]) => type === 'Wait').map(([name]) => [name, LOCAL_WAIT_MS]));
      engine.machines.set(stateMachineArn(workflow.name), { workflow, machine, tasks, stateTypes, waitOverrides });
    }
    return engine;
  }

  stateMachines(): Array<{ stateMachineArn: string; name: string; definition: Record<string, unknown> }> {
    return [...this.machines.entries()].map(([arn, loaded]) => ({ stateMachineArn: arn, name: loaded.workflow.name, definition: loaded.workflow.definition }));
  }

  startExecution(machineArn: string, name: string, input: string): ExecutionRecord {
    const loaded = this.machines.get(machineArn);
    if (!loaded) throw new StateMachineDoesNotExist(`state machine ${machineArn} does not exist`);
    const arn = executionArn(loaded.workflow.name, name);
    if (this.store.get(arn)) throw new ExecutionAlreadyExists(`execution ${name} already exists`);
    const startDate = new Date().toISOString();
    const record: ExecutionRecord = { executionArn: arn, stateMachineArn: machineArn, name, status: 'RUNNING', startDate, input, events: [] };
    this.store.save(record);

    const parsedInput = JSON.parse(input) as unknown;
    // Aborting the interpreter stops it between states but leaves a running task alone: the scope's
    // signal is what tells the task (a build job) to stop too.
    const stop = new AbortController();
    const execution = executionScope.run({ signal: stop.signal }, () => loaded.machine.run(parsedInput as never, {
      overrides: { taskResourceLocalHandlers: loaded.tasks as never, waitTimeOverrides: loaded.waitOverrides },
      context: {
        Execution: { Id: arn, Name: name, Input: parsedInput, StartTime: startDate, RoleArn: `arn:aws:iam::${LOCAL_ACCOUNT}:role/slipway-local` },
        StateMachine: { Id: machineArn, Name: loaded.workflow.name },
      } as never,
    }));
    const done = this.follow(record, loaded, execution.eventLogs, execution.result).finally(() => this.running.delete(arn));
    this.running.set(arn, {
      abort: () => {
        execution.abort();
        stop.abort(new Error(`execution ${name} was stopped`));
      },
      done,
    });
    return record;
  }

  private async follow(record: ExecutionRecord, loaded: Loaded, events: AsyncGenerator<EventLog>, result: Promise<unknown>): Promise<void> {
    result.catch(() => undefined); // the event log reports the outcome
    try {
      for await (const event of events) {
        this.append(record, loaded, event);
        this.store.save(record);
      }
    } catch (error) {
      record.status = 'FAILED';
      record.error = (error as Error).name;
      record.cause = (error as Error).message;
    }
    if (record.status === 'RUNNING') {
      // The log ended without a terminal event; take the outcome from the result.
      try {
        record.output = JSON.stringify(await result);
        record.status = 'SUCCEEDED';
      } catch (error) {
        record.status = 'FAILED';
        record.error = (error as Error).name;
        record.cause = (error as Error).message;
      }
    }
    record.stopDate ??= new Date().toISOString();
    this.store.save(record);
  }

  private append(record: ExecutionRecord, loaded: Loaded, event: EventLog): void {
    const timestamp = new Date(event.timestamp).toISOString();
    const push = (type: string, details: Record<string, unknown>) => {
      const id = record.events.length + 1;
      const entry: HistoryEvent = { id, previousEventId: id - 1, timestamp, type, ...details };
      record.events.push(entry);
    };
    const json = (value: unknown) => JSON.stringify(value ?? null);
    switch (event.type) {
      case 'ExecutionStarted':
        push('ExecutionStarted', { executionStartedEventDetails: { input: json(event.input) } });
        break;
      case 'ExecutionSucceeded':
        record.status = 'SUCCEEDED';
        record.output = json(event.output);
        record.stopDate = timestamp;
        push('ExecutionSucceeded', { executionSucceededEventDetails: { output: record.output } });
        break;
      case 'ExecutionFailed':
        record.status = 'FAILED';
        record.error = event.Error;
        record.cause = typeof event.Cause === 'string' ? event.Cause : json(event.Cause);
        record.stopDate = timestamp;
        push('ExecutionFailed', { executionFailedEventDetails: { error: record.error, cause: record.cause } });
        break;
      case 'ExecutionAborted':
      case 'ExecutionTimeout':
        record.status = event.type === 'ExecutionAborted' ? 'ABORTED' : 'TIMED_OUT';
        record.stopDate = timestamp;
        push(event.type === 'ExecutionAborted' ? 'ExecutionAborted' : 'ExecutionTimedOut', {});
        break;
      case 'StateEntered':
      case 'StateExited': {
        const type = `${loaded.stateTypes.get(event.state.name) ?? 'Task'}${event.type}`;
        const key = event.type === 'StateEntered' ? 'stateEnteredEventDetails' : 'stateExitedEventDetails';
        push(type, { [key]: { name: event.state.name, input: json(event.state.input), output: event.type === 'StateExited' ? json(event.state.output) : undefined } });
        break;
      }
      case 'StateFailed':
        push('TaskFailed', { taskFailedEventDetails: { resource: event.state.name, error: event.Error, cause: typeof event.Cause === 'string' ? event.Cause : json(event.Cause) } });
        break;
      case 'StateRetried':
        push('TaskRetried', { taskRetriedEventDetails: { resource: event.state.name, attempt: event.retry.attempt } });
        break;
      case 'StateCaught':
        push('TaskCaught', { taskCaughtEventDetails: { resource: event.state.name, next: event.catch.catcher.Next } });
        break;
      default:
        push(event.type, {});
    }
  }

  describeExecution(arn: string): ExecutionRecord {
    const record = this.store.get(arn);
    if (!record) throw new ExecutionDoesNotExist(`execution ${arn} does not exist`);
    return record;
  }

  listExecutions(filter: { stateMachineArn?: string; statusFilter?: string }): ExecutionRecord[] {
    return this.store
      .all()
      .filter((record) => !filter.stateMachineArn || record.stateMachineArn === filter.stateMachineArn)
      .filter((record) => !filter.statusFilter || record.status === filter.statusFilter);
  }

  stopExecution(arn: string): void {
    this.describeExecution(arn);
    this.running.get(arn)?.abort();
  }

  /** Resolves when the execution has finished (tests and shutdown wait on this). */
  async settled(arn: string): Promise<ExecutionRecord> {
    await this.running.get(arn)?.done;
    return this.describeExecution(arn);
  }

  async close(): Promise<void> {
    for (const { abort } of this.running.values()) abort();
    await Promise.allSettled([...this.running.values()].map((r) => r.done));
  }
}
