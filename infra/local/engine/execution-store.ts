import { chmodSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED' | 'TIMED_OUT';

/** One entry of an execution's history, in the shape of Step Functions' GetExecutionHistory. */
export interface HistoryEvent {
  id: number;
  previousEventId: number;
  timestamp: string;
  type: string;
  [details: string]: unknown;
}

export interface ExecutionRecord {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  startDate: string;
  stopDate?: string;
  input: string;
  output?: string;
  error?: string;
  cause?: string;
  /** How many times a restart of the platform redrove it (ExecutionRedriven events). */
  redriveCount?: number;
  events: HistoryEvent[];
}

/** What ListExecutions answers about an execution: its record without input, output or history. */
export type ExecutionSummary = Pick<ExecutionRecord, 'executionArn' | 'stateMachineArn' | 'name' | 'status' | 'startDate' | 'stopDate'>;

const summaryOf = ({ executionArn, stateMachineArn, name, status, startDate, stopDate }: ExecutionRecord): ExecutionSummary => ({
  executionArn,
  stateMachineArn,
  name,
  status,
  startDate,
  ...(stopDate === undefined ? {} : { stopDate }),
});

/**
 * Executions on disk, one JSON file each, rewritten atomically as events arrive: an operator can
 * read the history of every execution after a restart, and the engine resumes from it the ones that
 * were RUNNING when the platform died (LocalStepFunctions.reconcile).
 *
 * Only running executions are held whole in memory (the engine appends to them). A finished one
 * is a summary here (a few hundred bytes, for ListExecutions and the name check) and is read from
 * its file when described: its history (every state's input and output, a deployment's tickets
 * among them) would otherwise stay in the platform's memory for good, tens of kilobytes per
 * deployment.
 */
export class ExecutionStore {
  private readonly summaries = new Map<string, ExecutionSummary>();
  private readonly running = new Map<string, ExecutionRecord>();

  constructor(private readonly dir: string) {
    // Raw execution data holds tickets: the platform's user alone may read it.
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
    for (const file of readdirSync(dir)) {
      if (!file.endsWith('.json')) continue;
      this.hold(JSON.parse(readFileSync(join(dir, file), 'utf8')) as ExecutionRecord);
    }
  }

  has(executionArn: string): boolean {
    return this.summaries.has(executionArn);
  }

  /** The whole record: the one being written if the execution runs, else a fresh copy from its file. */
  get(executionArn: string): ExecutionRecord | undefined {
    const running = this.running.get(executionArn);
    if (running) return running;
    if (!this.summaries.has(executionArn)) return undefined;
    return JSON.parse(readFileSync(this.fileOf(executionArn), 'utf8')) as ExecutionRecord;
  }

  /** Every execution, newest first. */
  all(): ExecutionSummary[] {
    return [...this.summaries.values()].sort((a, b) => b.startDate.localeCompare(a.startDate));
  }

  /** The records held whole: the running executions. */
  runningRecords(): ExecutionRecord[] {
    return [...this.running.values()];
  }

  save(record: ExecutionRecord): void {
    this.hold(record);
    this.write(record);
  }

  private hold(record: ExecutionRecord): void {
    this.summaries.set(record.executionArn, summaryOf(record));
    if (record.status === 'RUNNING') this.running.set(record.executionArn, record);
    else this.running.delete(record.executionArn);
  }

  private fileOf(executionArn: string): string {
    return join(this.dir, `${encodeURIComponent(executionArn.split(':').slice(-2).join('.'))}.json`);
  }

  private write(record: ExecutionRecord): void {
    const file = this.fileOf(record.executionArn);
    writeFileSync(`${file}.tmp`, JSON.stringify(record), { mode: 0o600 });
    renameSync(`${file}.tmp`, file);
  }
}
