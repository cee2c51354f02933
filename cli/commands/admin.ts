import { ApiClient } from '../api-client.js';
import { connect } from '../connection.js';
import { followLogStream } from '../sse.js';
import { write } from '../terminal.js';
import type { AuditEntry as ServerAuditEntry } from '../../handlers/lib/table/audit.js';

/** The API's audit entry (the CLI shows every field but the expiry). */
type AuditEntry = Omit<ServerAuditEntry, 'expiresAt'>;

interface Deployment {
  id: string;
  project: string;
  status: string;
  executionName?: string;
  retryOf?: string;
}

/** `slipway admin audit [--month YYYY-MM] [--json]`: one month's audit log, newest first. */
export async function auditCommand(args: { month?: string; json: boolean }): Promise<number> {
  const api = new ApiClient(await connect());
  const query = args.month ? `?month=${encodeURIComponent(args.month)}&limit=500` : '?limit=500';
  const result = await api.get<{ month: string; entries: AuditEntry[] }>(`/admin/audit${query}`);
  if (args.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  }
  if (result.entries.length === 0) process.stderr.write(`slipway: no audit entries for ${result.month}\n`);
  for (const e of result.entries)
    process.stdout.write(`${e.at}  ${e.actor.padEnd(10)} ${e.action.padEnd(20)} ${String(e.status).padEnd(4)} ${e.target}\n`);
  return 0;
}

/**
 * `slipway admin retry EXECUTION_NAME [--follow] [--json]`: starts a new build-and-deploy of the
 * failed deployment's source and prints the new deployment id. `--follow` then prints its build log
 * until it ends, and exits non-zero unless it went live.
 */
export async function retryCommand(args: { execution: string; follow: boolean; json: boolean }): Promise<number> {
  const api = new ApiClient(await connect());
  const { deployment } = await api.request<{ deployment: Deployment }>(
    'POST',
    `/admin/executions/${encodeURIComponent(args.execution)}/retry`,
  );
  if (args.json && !args.follow) process.stdout.write(`${JSON.stringify({ deployment }, null, 2)}\n`);
  else if (args.json) process.stderr.write(`slipway: retrying ${deployment.retryOf ?? args.execution} as ${deployment.id}\n`);
  else process.stdout.write(`${deployment.id}\n`);
  if (!args.follow) return 0;
  const path = `/projects/${encodeURIComponent(deployment.project)}/deployments/${encodeURIComponent(deployment.id)}/logs/stream`;
  const end = await followLogStream(
    (lastEventId) => api.stream(path, lastEventId ? { 'last-event-id': lastEventId } : {}),
    (text) => write(args.json ? process.stderr : process.stdout, text),
  );
  if (args.json) process.stdout.write(`${JSON.stringify({ deployment: { ...deployment, status: end.status }, ...end })}\n`);
  else
    process.stderr.write(
      `slipway: deployment ${deployment.id} is ${end.status}${end.failedState ? ` (failed in ${end.failedState}${end.error ? `: ${end.error}` : ''})` : ''}\n`,
    );
  return end.status === 'LIVE' ? 0 : 1;
}
