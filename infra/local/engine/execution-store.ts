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

/**
 * Executions on disk, one JSON file each, rewritten atomically as events arrive: an operator can
 * read the history of every execution after a restart, and the engine resumes from it the ones that
 * were RUNNING when the platform died (LocalStepFunctions.reconcile).
 */
export class ExecutionStore {
  private readonly records = new Map<string, ExecutionRecord>();

  constructor(private readonly dir: string) {
    // Raw execution data holds tickets: the platform's user alone may read it.
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
    for (const file of readdirSync(dir)) {
      if (!file.endsWith('.json')) continue;
      const record = JSON.parse(readFileSync(join(dir, file), 'utf8')) as ExecutionRecord;
      this.records.set(record.executionArn, record);
    }
  }

  get(executionArn: string): ExecutionRecord | undefined {
    return this.records.get(executionArn);
  }

  all(): ExecutionRecord[] {
    return [...this.records.values()].sort((a, b) => b.startDate.localeCompare(a.startDate));
  }

  save(record: ExecutionRecord): void {
    this.records.set(record.executionArn, record);
    this.write(record);
  }

  private write(record: ExecutionRecord): void {
    const file = join(this.dir, `${encodeURIComponent(record.executionArn.split(':').slice(-2).join('.'))}.json`);
    writeFileSync(`${file}.tmp`, JSON.stringify(record), { mode: 0o600 });
    renameSync(`${file}.tmp`, file);
  }
}
