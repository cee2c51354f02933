import { CANCELLED_STOP_ERROR } from '../../handlers/lib/names.js';
import type { ExecutionRecord } from './engine/execution-store.js';

/** What a deployment's record says at a transition, as much as the log line needs. */
export interface DeploymentState {
  status?: string;
  createdAt: string;
  failedState?: string;
  cause?: string;
  /** Where it answers while LIVE (a preview at its own host, production with its base path). */
  url?: string;
}

/**
 * One line of the platform's own log: a deployment changed status (QUEUED, BUILDING, LIVE,
 * FAILED, CANCELLED, SUPERSEDED), or a rollback to it started or ended (ROLLING BACK, ROLLED
 * BACK, ROLLBACK FAILED).
 */
export interface DeploymentTransition {
  at: Date;
  project: string;
  deploymentId: string;
  status: string;
  /** Where it answers, once it is live (a preview at its own host). */
  url?: string;
  /** From the request to this end state (a deployment), or from its start (a rollback). */
  elapsedMs?: number;
  /** Why it failed: the state, and the first line of the cause. */
  reason?: string;
}

export interface TransitionWatchDeps {
  readDeployment(project: string, deploymentId: string): Promise<DeploymentState | undefined>;
  /** Where a project's production answers now. */
  liveUrl(project: string): Promise<string | undefined>;
  report(transition: DeploymentTransition): void;
  now?: () => Date;
}

const BUILD_AND_DEPLOY = 'slipway-build-and-deploy';
const ROLLBACK = 'slipway-rollback';
const ENDED = new Set(['LIVE', 'FAILED', 'CANCELLED', 'SUPERSEDED']);
/** A failure's cause can be a whole build log tail: the log line keeps its first line, this long at most. */
const REASON_CHARS = 200;

function executionTarget(execution: ExecutionRecord): { project: string; deploymentId: string } | undefined {
  try {
    const input = JSON.parse(execution.input) as { project?: unknown; deploymentId?: unknown };
    return typeof input.project === 'string' && typeof input.deploymentId === 'string'
      ? { project: input.project, deploymentId: input.deploymentId }
      : undefined;
  } catch {
    return undefined;
  }
}

function shortReason(state: DeploymentState): string | undefined {
  const cause = state.cause?.split('\n').find((line) => line.trim() !== '');
  const text = [state.failedState, cause].filter(Boolean).join(': ');
  if (!text) return undefined;
  return text.length > REASON_CHARS ? `${text.slice(0, REASON_CHARS - 1)}…` : text;
}

/**
 * The engine's onProgress for the platform's log: at each state a deployment's execution enters, it
 * reads that deployment's status once and reports it when it differs from the last one reported; a
 * rollback is reported when it starts and ends. Reads of one execution run one after another, so
 * lines come in order.
 */
export function watchDeploymentTransitions(deps: TransitionWatchDeps): (execution: ExecutionRecord, machine: string) => void {
  const now = deps.now ?? (() => new Date());
  const lastStatus = new Map<string, string>();
  const queues = new Map<string, Promise<void>>();

  const observe = async (execution: ExecutionRecord, machine: string): Promise<void> => {
    const target = executionTarget(execution);
    if (!target) return;
    const ended = execution.status !== 'RUNNING';
    const key = `${target.project}/${target.deploymentId}`;
    if (machine === ROLLBACK) {
      const status = ended ? (execution.status === 'SUCCEEDED' ? 'ROLLED BACK' : 'ROLLBACK FAILED') : 'ROLLING BACK';
      if (lastStatus.get(execution.executionArn) === status) return;
      lastStatus.set(execution.executionArn, status);
      if (ended) lastStatus.delete(execution.executionArn);
      const url = status === 'ROLLED BACK' ? await deps.liveUrl(target.project) : undefined;
      const at = now();
      deps.report({
        at,
        ...target,
        status,
        ...(url ? { url } : {}),
        ...(ended ? { elapsedMs: at.getTime() - Date.parse(execution.startDate) } : {}),
        ...(status === 'ROLLBACK FAILED' && execution.error ? { reason: execution.error } : {}),
      });
      return;
    }
    const state = await deps.readDeployment(target.project, target.deploymentId);
    if (ended && state?.status && !ENDED.has(state.status) && execution.status === 'ABORTED' && execution.error === CANCELLED_STOP_ERROR) {
      // Stopped by a cancel, which records CANCELLED right after the stop returns; the engine keeps
      // the stop's error on the aborted execution, as AWS does.
      lastStatus.delete(key);
      const at = now();
      deps.report({ at, ...target, status: 'CANCELLED', elapsedMs: at.getTime() - Date.parse(state.createdAt) });
      return;
    }
    if (ended && state?.status && !ENDED.has(state.status)) {
      // Its execution ended and nothing recorded how: say so rather than leave the deployment's last line standing.
      lastStatus.delete(key);
      deps.report({
        at: now(),
        ...target,
        status: execution.status,
        reason: `its execution ended with the deployment still ${state.status}`,
      });
      return;
    }
    const status = state?.status;
    if (!state || !status || lastStatus.get(key) === status) {
      if (ended) lastStatus.delete(key);
      return;
    }
    // Kept while the execution runs (states after Record live read LIVE again), dropped at its end.
    if (ended) lastStatus.delete(key);
    else lastStatus.set(key, status);
    const at = now();
    const url = status === 'LIVE' ? state.url : undefined;
    const reason = status === 'FAILED' ? shortReason(state) : undefined;
    deps.report({
      at,
      ...target,
      status,
      ...(url ? { url } : {}),
      ...(ENDED.has(status) ? { elapsedMs: at.getTime() - Date.parse(state.createdAt) } : {}),
      ...(reason ? { reason } : {}),
    });
  };

  return (execution, machine) => {
    if (machine !== BUILD_AND_DEPLOY && machine !== ROLLBACK) return;
    // A snapshot: the engine goes on changing the record while the read waits.
    const snapshot: ExecutionRecord = { ...execution, events: [] };
    const previous = queues.get(execution.executionArn) ?? Promise.resolve();
    const next = previous
      .then(() => observe(snapshot, machine))
      .catch((error: unknown) => {
        // The log is a convenience: a failed read must never disturb the execution it watches.
        process.stderr.write(`slipway: could not read the state of ${execution.name}: ${(error as Error).message}\n`);
      });
    queues.set(execution.executionArn, next);
    if (snapshot.status !== 'RUNNING')
      void next.finally(() => queues.get(execution.executionArn) === next && queues.delete(execution.executionArn));
  };
}

/** `HH:MM:SS`, local time: the platform's log is read by the person running it. */
function clock(at: Date): string {
  return [at.getHours(), at.getMinutes(), at.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

const COLOURS: Record<string, string> = {
  LIVE: '32',
  'ROLLED BACK': '32',
  FAILED: '31',
  'ROLLBACK FAILED': '31',
  CANCELLED: '33',
  SUPERSEDED: '33',
};

/** `12:01:03 hello d-abc123 LIVE http://hello.localhost:8080/ (12.3 s)`; the status in colour only when asked. */
export function formatTransition(transition: DeploymentTransition, options: { colour: boolean }): string {
  const code = COLOURS[transition.status] ?? '36';
  const status = options.colour ? `\u001b[${code}m${transition.status}\u001b[39m` : transition.status;
  return [
    clock(transition.at),
    transition.project,
    transition.deploymentId,
    status,
    transition.url,
    transition.reason,
    transition.elapsedMs === undefined ? undefined : `(${(transition.elapsedMs / 1000).toFixed(1)} s)`,
  ]
    .filter((part) => part !== undefined && part !== '')
    .join(' ');
}
