import { ApiClient } from '../api-client.js';
import { connect, tenantUrl } from '../connection.js';
import { followLogStream } from '../sse.js';
import { printResult } from '../output.js';

interface Printable {
  json: boolean;
}

const print = (args: Printable, value: unknown, lines: () => string[]) => printResult(args.json, value, lines);

export async function projectsCommand(args: Printable): Promise<number> {
  const connection = await connect();
  const result = await new ApiClient(connection).get<{
    projects: Array<{ name: string; status: string; liveDeploymentId?: string; url?: string }>;
  }>('/projects');
  print(args, result, () =>
    result.projects.map(
      (p) => `${p.name.padEnd(24)} ${p.status.padEnd(10)} ${p.liveDeploymentId ?? '-'}  ${p.url ?? tenantUrl(p.name, connection.port)}`,
    ),
  );
  return 0;
}

export async function deploymentsCommand(args: Printable & { project: string }): Promise<number> {
  const result = await new ApiClient(await connect()).get<{
    deployments: Array<{ id: string; status: string; createdAt: string; current: boolean; failedState?: string; preview?: string }>;
  }>(`/projects/${args.project}/deployments`);
  print(args, result, () =>
    result.deployments.map(
      (d) =>
        `${d.current ? '*' : ' '} ${d.id.padEnd(28)} ${d.status.padEnd(9)} ${d.createdAt}${d.preview ? `  preview ${d.preview}` : ''}${d.failedState ? `  failed in ${d.failedState}` : ''}`,
    ),
  );
  return 0;
}

/**
 * Prints a deployment's build log (the latest deployment when none is named). `--follow` reads the
 * log's server-sent events until the deployment ends, and exits non-zero unless it went live.
 */
export async function logsCommand(args: Printable & { project: string; deployment?: string; follow: boolean }): Promise<number> {
  const api = new ApiClient(await connect());
  let id = args.deployment;
  if (!id) {
    const { deployments } = await api.get<{ deployments: Array<{ id: string }> }>(`/projects/${args.project}/deployments`);
    id = deployments[0]?.id;
    if (!id) throw new Error(`project ${args.project} has no deployments`);
  }
  if (args.follow) {
    const path = `/projects/${args.project}/deployments/${id}/logs/stream`;
    const end = await followLogStream(
      (lastEventId) => api.stream(path, lastEventId ? { 'last-event-id': lastEventId } : {}),
      (text) => process.stdout.write(text),
    );
    if (args.json) process.stdout.write(`${JSON.stringify({ deployment: id, ...end })}\n`);
    else
      process.stderr.write(
        `slipway: deployment ${id} is ${end.status}${end.failedState ? ` (failed in ${end.failedState}${end.error ? `: ${end.error}` : ''})` : ''}\n`,
      );
    return end.status === 'LIVE' ? 0 : 1;
  }
  let cursor: string | null = null;
  for (;;) {
    const query: string = cursor ? `?cursor=${encodeURIComponent(cursor)}` : '';
    const logs: { text: string; cursor: string | null; done: boolean } = await api.get(
      `/projects/${args.project}/deployments/${id}/logs${query}`,
    );
    process.stdout.write(logs.text);
    // Without --follow: what is there now, page by page.
    if (!logs.cursor || logs.cursor === cursor) return 0;
    cursor = logs.cursor;
  }
}

/** Cancels a QUEUED or BUILDING deployment (its build is stopped; the live version stays). */
export async function cancelCommand(args: Printable & { project: string; deployment: string }): Promise<number> {
  const result = await new ApiClient(await connect()).post<{ deployment: { id: string; status: string } }>(
    `/projects/${args.project}/deployments/${args.deployment}/cancel`,
    {},
  );
  print(args, result, () => [`deployment ${result.deployment.id} ${result.deployment.status.toLowerCase()}`]);
  return 0;
}

export async function executionsCommand(args: Printable & { status?: string }): Promise<number> {
  const query = args.status ? `?status=${encodeURIComponent(args.status)}` : '';
  const result = await new ApiClient(await connect()).get<{
    executions: Array<{ name: string; status: string; startDate: string; stopDate?: string }>;
  }>(`/executions${query}`);
  print(args, result, () => result.executions.map((e) => `${e.status.padEnd(10)} ${e.startDate}  ${e.name}`));
  return 0;
}
