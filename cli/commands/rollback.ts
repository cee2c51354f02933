import { ApiClient } from '../api-client.js';
import { connect, tenantUrl } from '../connection.js';
import { type Progress, startProgress } from '../progress.js';
import { UsageError } from '../usage-error.js';

interface ProjectView {
  name: string;
  status: string;
  liveDeploymentId?: string;
  url?: string;
  executionName?: string;
  failedState?: string;
  error?: string;
  cause?: string;
}

interface Started {
  rollback: { project: string; deploymentId: string; executionArn: string; executionName?: string };
}

/** How long to wait for the live pointer to move; a rollback takes seconds plus a stack update. */
const TIMEOUT_MS = 15 * 60 * 1000;
const POLL_MS = 500;

/**
 * `slipway rollback --to DEPLOYMENT_ID [--promote]`: starts the rollback workflow and waits
 * until the project's live deployment is the target (exit 0, prints the URL), or the execution
 * failed (the project records the failing state and error), or the wait times out (exit 1).
 */
export async function rollbackCommand(args: {
  project: string;
  to: string;
  promote: boolean;
  json: boolean;
  timeoutMs?: number;
}): Promise<number> {
  const connection = await connect();
  const api = new ApiClient(connection);
  const say = (line: string) => (args.json ? process.stderr : process.stdout).write(`${line}\n`);
  // A preview built from a branch becomes production only when that is said.
  const { deployment: target } = await api.get<{ deployment: { preview?: string } }>(
    `/projects/${encodeURIComponent(args.project)}/deployments/${encodeURIComponent(args.to)}`,
  );
  if (target.preview && !args.promote) {
    throw new UsageError(
      `${args.to} is a deployment of preview ${target.preview}: to make it production, slipway rollback --to ${args.to} --promote`,
    );
  }
  const started = await api.post<Started>(`/projects/${encodeURIComponent(args.project)}/rollback`, {
    deploymentId: args.to,
    ...(args.promote ? { promote: true } : {}),
  });
  const executionName =
    started.rollback.executionName ?? started.rollback.executionArn.slice(started.rollback.executionArn.lastIndexOf(':') + 1);
  say(`slipway: rolling back ${args.project} to ${args.to} (execution ${executionName})`);
  const progress = startProgress(process.stderr, `rolling back ${args.project} to ${args.to}`);
  try {
    return await waitForRollback(api, connection.port, args, started, executionName, progress);
  } finally {
    progress.stop();
  }
}

/** Polls the project until its live deployment is the target, the rollback failed, or the time is up. */
async function waitForRollback(
  api: ApiClient,
  port: number | undefined,
  args: { project: string; to: string; json: boolean; timeoutMs?: number },
  started: Started,
  executionName: string,
  progress: Progress,
): Promise<number> {
  const say = (line: string) => (args.json ? process.stderr : process.stdout).write(`${line}\n`);
  const deadline = Date.now() + (args.timeoutMs ?? TIMEOUT_MS);
  for (let poll = 1; ; poll++) {
    const { project } = await api.get<{ project: ProjectView }>(`/projects/${encodeURIComponent(args.project)}`);
    progress.state(project.status === 'READY' ? 'moving the live pointer' : project.status);
    if (project.liveDeploymentId === args.to) {
      progress.stop();
      const url = project.url ?? tenantUrl(args.project, port);
      if (args.json) process.stdout.write(`${JSON.stringify({ rollback: started.rollback, url })}\n`);
      else say(`slipway: ${args.project} is live again with ${args.to} at ${url}`);
      return 0;
    }
    // A failed rollback records FAILED on the project, under this execution's name.
    // One that ends before recording anything (a refused ticket) shows only in the executions, read every few polls.
    const failure =
      project.status === 'FAILED' && project.failedState ? project : poll % 5 === 0 ? await failedExecution(api, executionName) : undefined;
    if (failure) {
      progress.stop();
      if (args.json) process.stdout.write(`${JSON.stringify({ rollback: started.rollback, failure })}\n`);
      process.stderr.write(
        `slipway: rollback to ${args.to} failed${failure.failedState ? ` in ${failure.failedState}` : ''}: ${failure.error ?? 'error'}${failure.cause ? `: ${failure.cause}` : ''}\n`,
      );
      return 1;
    }
    if (Date.now() > deadline) {
      process.stderr.write(`slipway: rollback to ${args.to} did not finish in time; the execution ${executionName} may still be running\n`);
      return 1;
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** The execution, if it has already failed (listing executions needs the admin role; without it, keep polling). */
async function failedExecution(
  api: ApiClient,
  name: string,
): Promise<{ failedState?: string; error?: string; cause?: string } | undefined> {
  try {
    const { executions } = await api.get<{ executions: Array<{ name: string; status: string }> }>('/executions?status=FAILED');
    const found = executions.find((e) => e.name === name);
    return found ? { error: `execution ${name} ${found.status}` } : undefined;
  } catch {
    return undefined;
  }
}
