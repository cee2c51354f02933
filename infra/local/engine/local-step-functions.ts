import './promise-with-resolvers.js';
import type { Operation } from '../../../handlers/lib/ticket.js';
import { StateMachine } from 'aws-local-stepfunctions';

type EventLog = ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;
import { bindTasks, executionScope, type LocalServices } from './task-bindings.js';
import { ExecutionStore, type ExecutionRecord, type ExecutionSummary, type HistoryEvent } from './execution-store.js';
import { LOCAL_ACCOUNT, LOCAL_REGION, type SynthesizedPlatform, type SynthesizedWorkflow } from './synthesized-workflows.js';
import { placedStates } from './nested-states.js';
import { MAX_REDRIVES, PLATFORM_RESTARTED_CAUSE, PLATFORM_RESTARTED_ERROR, planResume, type ResumePlan } from './redrive.js';

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

/** The state machine the API starts for each operation (on AWS, CDK names them). */
export function stateMachineArnsByOperation(): Record<Operation, string> {
  return {
    'build-deploy': stateMachineArn('slipway-build-and-deploy'),
    'init-project': stateMachineArn('slipway-init-project'),
    'delete-project': stateMachineArn('slipway-delete-project'),
    rollback: stateMachineArn('slipway-rollback'),
  };
}

function executionArn(machine: string, name: string): string {
  return `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:execution:${machine}:${name}`;
}

interface Loaded {
  workflow: SynthesizedWorkflow;
  machine: StateMachine;
  validationOptions: { checkArn: false; checkPaths: false; noValidate?: boolean };
  tasks: Awaited<ReturnType<typeof bindTasks>>;
  stateTypes: Map<string, string>;
  /** The top-level state each state runs in (itself for a top-level one; the Map for a state of its iteration). */
  topLevel: Map<string, string>;
  waitOverrides: Record<string, number>;
}

/**
 * Every Wait in Slipway's workflows paces a poll of AWS work (a stack update) that the local
 * stand-ins finish before they return, so locally a Wait only yields briefly.
 */
const LOCAL_WAIT_MS = 50;

/**
 * Which state an execution's history on disk last entered, and a way for its tasks to wait until
 * it is theirs. A retried task finds its state current already; a state is never entered twice in
 * a row in Slipway's workflows, so a state that is current is the one the task runs for.
 */
function persistedStates(): { entered: (state: string) => Promise<void>; persisted: (state: string) => void } {
  let current: string | undefined;
  const waiting: Array<{ state: string; resolve: () => void }> = [];
  return {
    entered: (state) => (current === state ? Promise.resolve() : new Promise<void>((resolve) => waiting.push({ state, resolve }))),
    persisted: (state) => {
      current = state;
      for (let i = waiting.length - 1; i >= 0; i--) {
        const waiter = waiting[i] as { state: string; resolve: () => void };
        if (waiter.state === state) {
          waiting.splice(i, 1);
          waiter.resolve();
        }
      }
    },
  };
}

/** Options of the engine; `killAtState` is for crash tests only. */
export interface EngineOptions {
  /**
   * Fault injection: SIGKILL this process's whole process group as soon as an execution started by
   * this process enters `state` of `machine` (after the event is on disk). Redriven executions
   * never trigger it, so the restarted platform can finish what the crash interrupted.
   */
  killAtState?: { machine: string; state: string };
  /** How long each Wait state lasts locally (LOCAL_WAIT_MS unless set): tests that poll many times shorten it. */
  waitMs?: number;
  /**
   * Called once an execution's start, each state it enters and its end are on disk (not for a
   * shutdown): the platform's log of deployment transitions looks at the table then, never in a loop.
   */
  onProgress?: (execution: ExecutionRecord, machine: string) => void;
}

/** The execution that reconcile found RUNNING, and what it did with it. */
/** StopExecution's optional error and cause. */
export interface StopReason {
  error?: string;
  cause?: string;
}

export interface ReconciledExecution {
  executionArn: string;
  plan: ResumePlan['kind'];
  state: string | undefined;
}

/**
 * Step Functions on one machine: runs the synthesized definitions with aws-local-stepfunctions,
 * each Task bound to its local piece, and keeps every execution's history on disk.
 */
export class LocalStepFunctions {
  private readonly machines = new Map<string, Loaded>();
  private readonly running = new Map<string, { abort: () => void; done: Promise<void> }>();
  /** What StopExecution said of an execution it stopped, until the execution has ended. */
  private readonly stopReasons = new Map<string, StopReason>();
  /** Set by close(): what the interpreters report from then on is the shutdown, not the executions' outcome. */
  private closing = false;

  private constructor(
    private readonly store: ExecutionStore,
    private readonly options: EngineOptions,
  ) {}

  static async create(
    platform: SynthesizedPlatform,
    services: LocalServices,
    stateDir: string,
    options: EngineOptions = {},
  ): Promise<LocalStepFunctions> {
    const engine = new LocalStepFunctions(new ExecutionStore(stateDir), options);
    for (const workflow of platform.workflows.values()) {
      // Validating compiles the ASL schema (about a quarter of a second per machine): once per definition is enough.
      const validationOptions = { checkArn: false, checkPaths: false, ...(platform.validated ? { noValidate: true } : {}) } as const;
      // The interpreter annotates the definition it is given (QueryLanguage defaults); keep the synthesized one intact.
      const machine = new StateMachine(structuredClone(workflow.definition) as never, { validationOptions });
      const tasks = await bindTasks(workflow.definition, platform.resources, services);
      const placed = placedStates(workflow.definition);
      const stateTypes = new Map(placed.map(({ name, state }) => [name, state.Type]));
      const topLevel = new Map(placed.map(({ name, topLevel: owner }) => [name, owner]));
      const waitOverrides = Object.fromEntries(
        [...stateTypes].filter(([, type]) => type === 'Wait').map(([name]) => [name, options.waitMs ?? LOCAL_WAIT_MS]),
      );
      engine.machines.set(stateMachineArn(workflow.name), {
        workflow,
        machine,
        validationOptions,
        tasks,
        stateTypes,
        topLevel,
        waitOverrides,
      });
    }
    return engine;
  }

  stateMachines(): Array<{ stateMachineArn: string; name: string; definition: Record<string, unknown> }> {
    return [...this.machines.entries()].map(([arn, loaded]) => ({
      stateMachineArn: arn,
      name: loaded.workflow.name,
      definition: loaded.workflow.definition,
    }));
  }

  startExecution(machineArn: string, name: string, input: string): ExecutionRecord {
    const loaded = this.machines.get(machineArn);
    if (!loaded) throw new StateMachineDoesNotExist(`state machine ${machineArn} does not exist`);
    const arn = executionArn(loaded.workflow.name, name);
    if (this.store.has(arn)) throw new ExecutionAlreadyExists(`execution ${name} already exists`);
    const startDate = new Date().toISOString();
    const record: ExecutionRecord = {
      executionArn: arn,
      stateMachineArn: machineArn,
      name,
      status: 'RUNNING',
      startDate,
      input,
      events: [],
    };
    this.store.save(record);

    this.launch(record, loaded, loaded.machine, JSON.parse(input) as unknown, { redriven: false });
    return record;
  }

  /**
   * Runs `machine` (the workflow, or a copy starting at a later state) for `record`. The context
   * keeps the execution's own name and ARN, so a redriven execution is the same execution.
   */
  private launch(record: ExecutionRecord, loaded: Loaded, machine: StateMachine, input: unknown, how: { redriven: boolean }): void {
    // Aborting the interpreter stops it between states but leaves a running task alone: the scope's
    // signal is what tells the task (a build job) to stop too.
    const stop = new AbortController();
    const history = persistedStates();
    const execution = executionScope.run({ signal: stop.signal, entered: history.entered }, () =>
      machine.run(input as never, {
        overrides: { taskResourceLocalHandlers: loaded.tasks as never, waitTimeOverrides: loaded.waitOverrides },
        context: {
          Execution: {
            Id: record.executionArn,
            Name: record.name,
            Input: JSON.parse(record.input) as unknown,
            StartTime: record.startDate,
            RoleArn: `arn:aws:iam::${LOCAL_ACCOUNT}:role/slipway-local`,
          },
          StateMachine: { Id: record.stateMachineArn, Name: loaded.workflow.name },
        } as never,
      }),
    );
    const killAt = how.redriven ? undefined : this.killPoint(loaded);
    const done = this.follow(record, loaded, execution.eventLogs, execution.result, {
      redriven: how.redriven,
      killAt,
      onEntered: history.persisted,
    }).finally(() => {
      this.running.delete(record.executionArn);
      this.stopReasons.delete(record.executionArn);
    });
    this.running.set(record.executionArn, {
      abort: () => {
        execution.abort();
        stop.abort(new Error(`execution ${record.name} was stopped`));
      },
      done,
    });
  }

  private killPoint(loaded: Loaded): string | undefined {
    const kill = this.options.killAtState;
    return kill && kill.machine === loaded.workflow.name ? kill.state : undefined;
  }

  /**
   * Called once on start, before anything new runs: every execution the store holds as RUNNING was
   * cut off by the platform dying. Each is redriven from the state it was in (same name and ARN,
   * the states it finished are not run again, an `ExecutionRedriven` event in its history), or —
   * where that state may not run again (redrive.ts) — sent down that state's Catch as a failure
   * `platform restarted`, so the workflow records it like any other failure.
   */
  reconcile(): ReconciledExecution[] {
    const reconciled: ReconciledExecution[] = [];
    for (const record of this.store.runningRecords().filter((r) => !this.running.has(r.executionArn))) {
      const loaded = this.machines.get(record.stateMachineArn);
      const definition = loaded?.workflow.definition as { StartAt: string; States: Record<string, { Type: string }> } | undefined;
      const redrives = record.redriveCount ?? 0;
      const plan: ResumePlan = definition ? planResume(record, definition, redrives) : { kind: 'fail', interrupted: undefined };
      const timestamp = new Date().toISOString();
      const push = (type: string, details: Record<string, unknown>) => {
        const id = record.events.length + 1;
        record.events.push({ id, previousEventId: id - 1, timestamp, type, ...details });
      };
      if (plan.kind === 'fail' || !loaded || !definition) {
        record.status = 'FAILED';
        record.error = PLATFORM_RESTARTED_ERROR;
        record.cause =
          redrives >= MAX_REDRIVES ? `${PLATFORM_RESTARTED_CAUSE} ${redrives} times in this execution` : PLATFORM_RESTARTED_CAUSE;
        record.stopDate = timestamp;
        push('ExecutionFailed', { executionFailedEventDetails: { error: record.error, cause: record.cause } });
        this.store.save(record);
        if (loaded) this.options.onProgress?.(record, loaded.workflow.name);
        reconciled.push({ executionArn: record.executionArn, plan: 'fail', state: plan.kind === 'fail' ? plan.interrupted : undefined });
        continue;
      }
      if (plan.kind === 'fail-through-catch') {
        push('TaskFailed', {
          taskFailedEventDetails: { resource: plan.interrupted, error: PLATFORM_RESTARTED_ERROR, cause: PLATFORM_RESTARTED_CAUSE },
        });
        push('TaskCaught', { taskCaughtEventDetails: { resource: plan.interrupted, next: plan.from } });
      }
      record.redriveCount = redrives + 1;
      push('ExecutionRedriven', { executionRedrivenEventDetails: { redriveCount: record.redriveCount, fromState: plan.from } });
      this.store.save(record);
      // aws-local-stepfunctions runs a definition from its StartAt: the same definition starting at
      // the state to resume from is the rest of this execution (and, differing only in StartAt from
      // a validated definition, needs no validation).
      const rest = new StateMachine({ ...structuredClone(definition), StartAt: plan.from } as never, {
        validationOptions: { ...loaded.validationOptions, noValidate: true },
      });
      this.launch(record, loaded, rest, plan.input, { redriven: true });
      reconciled.push({ executionArn: record.executionArn, plan: plan.kind, state: plan.kind === 'resume' ? plan.from : plan.interrupted });
    }
    return reconciled;
  }

  private async follow(
    record: ExecutionRecord,
    loaded: Loaded,
    events: AsyncGenerator<EventLog>,
    result: Promise<unknown>,
    how: { redriven: boolean; killAt: string | undefined; onEntered: (state: string) => void },
  ): Promise<void> {
    result.catch(() => undefined); // the event log reports the outcome
    // Once per state and once at the end: an aborted execution's log may not end after its ExecutionAborted.
    let endReported = false;
    const progress = () => {
      if (endReported) return;
      endReported = record.status !== 'RUNNING';
      this.options.onProgress?.(record, loaded.workflow.name);
    };
    try {
      for await (const event of events) {
        // A shutdown leaves the execution RUNNING on disk, as a crash would: the next start resumes it.
        if (this.closing) return;
        // A redrive goes on from where the execution stood: its ExecutionRedriven event is already written.
        if (how.redriven && event.type === 'ExecutionStarted') continue;
        this.append(record, loaded, event);
        this.store.save(record);
        if (event.type === 'StateEntered') {
          if (event.state.name === how.killAt) {
            // The whole process group, as a crash of the machine would: build sandboxes and function workers too.
            // The state is on disk as entered and has done nothing yet (its task waits for onEntered).
            process.kill(0, 'SIGKILL');
          }
          // Tasks wait for their top-level state: a Map iteration's states leave it current while the Map runs.
          if (loaded.topLevel.get(event.state.name) === event.state.name) how.onEntered(event.state.name);
        }
        if (event.type === 'ExecutionStarted' || event.type === 'StateEntered' || record.status !== 'RUNNING') progress();
      }
    } catch (error) {
      if (this.closing) return;
      record.status = 'FAILED';
      record.error = (error as Error).name;
      record.cause = (error as Error).message;
    }
    if (this.closing) return;
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
    if (this.closing) return;
    record.stopDate ??= new Date().toISOString();
    this.store.save(record);
    progress();
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
      case 'ExecutionAborted': {
        record.status = 'ABORTED';
        record.stopDate = timestamp;
        const { error, cause } = this.stopReasons.get(record.executionArn) ?? {};
        if (error !== undefined) record.error = error;
        if (cause !== undefined) record.cause = cause;
        push('ExecutionAborted', error !== undefined || cause !== undefined ? { executionAbortedEventDetails: { error, cause } } : {});
        break;
      }
      case 'ExecutionTimeout':
        record.status = 'TIMED_OUT';
        record.stopDate = timestamp;
        push('ExecutionTimedOut', {});
        break;
      case 'StateEntered':
      case 'StateExited': {
        const type = `${loaded.stateTypes.get(event.state.name) ?? 'Task'}${event.type}`;
        const key = event.type === 'StateEntered' ? 'stateEnteredEventDetails' : 'stateExitedEventDetails';
        push(type, {
          [key]: {
            name: event.state.name,
            input: json(event.state.input),
            output: event.type === 'StateExited' ? json(event.state.output) : undefined,
          },
          // A state of a Map iteration: which item it ran for (the interpreter numbers them).
          ...(typeof (event as { index?: unknown }).index === 'number' ? { mapIterationIndex: (event as { index: number }).index } : {}),
        });
        break;
      }
      case 'StateFailed':
        push('TaskFailed', {
          taskFailedEventDetails: {
            resource: event.state.name,
            error: event.Error,
            cause: typeof event.Cause === 'string' ? event.Cause : json(event.Cause),
          },
        });
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

  listExecutions(filter: { stateMachineArn?: string; statusFilter?: string }): ExecutionSummary[] {
    return this.store
      .all()
      .filter((record) => !filter.stateMachineArn || record.stateMachineArn === filter.stateMachineArn)
      .filter((record) => !filter.statusFilter || record.status === filter.statusFilter);
  }

  /** As on AWS, the error and cause given are the aborted execution's (DescribeExecution, its ExecutionAborted event). */
  stopExecution(arn: string, reason: StopReason = {}): void {
    this.describeExecution(arn);
    const running = this.running.get(arn);
    if (!running) return;
    this.stopReasons.set(arn, reason);
    running.abort();
  }

  /** Resolves when the execution has finished (tests and shutdown wait on this). */
  async settled(arn: string): Promise<ExecutionRecord> {
    await this.running.get(arn)?.done;
    return this.describeExecution(arn);
  }

  /**
   * Stops the running executions without recording an outcome for them: they stay RUNNING in the
   * store, and the next start reconciles them like executions a crash cut off.
   */
  async close(): Promise<void> {
    this.closing = true;
    for (const { abort } of this.running.values()) abort();
    await Promise.allSettled([...this.running.values()].map((r) => r.done));
  }
}
