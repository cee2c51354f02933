import { ApiClient } from '../api-client.js';
import { connect } from '../connection.js';
import { type ListedDeployment, servingWord } from '../deployment-status.js';
import { printResult } from '../output.js';
import { followLogStream } from '../sse.js';
import { write } from '../terminal.js';
import { UsageError } from '../usage-error.js';
import { EXECUTION_STATUSES } from '../../handlers/api/schemas.js';

interface Printable {
  json: boolean;
}

const print = (args: Printable, value: unknown, lines: () => string[]) => printResult(args.json, value, lines);

/** Rows under a header, each column as wide as its widest cell. */
export function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  return [header, ...rows].map((cells) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

/** `slipway deployments [ID]`: the list with a header row, or one deployment in detail; statuses say what serves. */
export async function deploymentsCommand(args: Printable & { project: string; id?: string }): Promise<number> {
  const api = new ApiClient(await connect());
  const { deployments } = await api.get<{ deployments: ListedDeployment[] }>(`/projects/${args.project}/deployments`);
  if (args.id) {
    const result = await api.get<{ deployment: ListedDeployment & Record<string, unknown> }>(
      `/projects/${args.project}/deployments/${args.id}`,
    );
    const d = result.deployment;
    const serving = servingWord(d, deployments);
    print(args, { ...result, serving }, () => [
      `deployment ${d.id}`,
      `  status     ${serving}${serving !== d.status ? ` (${d.status})` : ''}`,
      `  created    ${d.createdAt}${typeof d.createdBy === 'string' ? ` by ${d.createdBy}` : ''}`,
      ...(d.preview ? [`  preview    ${d.preview}`] : []),
      ...(d.url ? [`  url        ${d.url}`] : []),
      ...(typeof d.commit === 'string' ? [`  commit     ${d.commit}`] : []),
      ...(d.failedState ? [`  failed in  ${d.failedState}${d.error ? `: ${d.error}` : ''}`] : []),
      `  log        slipway logs --deployment ${d.id}`,
    ]);
    return 0;
  }
  print(args, { deployments: deployments.map((d) => ({ ...d, serving: servingWord(d, deployments) })) }, () =>
    deployments.length === 0
      ? [`${args.project} has no deployments yet: slipway deploy`]
      : table(
          ['STATUS', 'ID', 'CREATED', 'PREVIEW', 'NOTE'],
          deployments.map((d) => [
            servingWord(d, deployments),
            d.id,
            d.createdAt,
            d.preview ?? '-',
            d.failedState ? `failed in ${d.failedState}` : (d.url ?? ''),
          ]),
        ),
  );
  return 0;
}

/** One JSON object per log line (the `--json` form of a log: each line parseable alone). */
function jsonLines(deployment: string, text: string): string {
  return text
    .split('\n')
    .filter((line, i, lines) => line !== '' || i < lines.length - 1)
    .map((line) => `${JSON.stringify({ deployment, line })}\n`)
    .join('');
}

/**
 * Prints a deployment's build log (the latest deployment when none is named). `--follow` reads the
 * log's server-sent events until the deployment ends, and exits non-zero unless it went live.
 * `--json`: one object per line, `{deployment, line}`, and with --follow a last `{deployment, status, …}`.
 */
export async function logsCommand(args: Printable & { project: string; deployment?: string; follow: boolean }): Promise<number> {
  const api = new ApiClient(await connect());
  let id = args.deployment;
  if (!id) {
    const { deployments } = await api.get<{ deployments: Array<{ id: string }> }>(`/projects/${args.project}/deployments`);
    id = deployments[0]?.id;
    if (!id) throw new Error(`${args.project} has no deployments yet: slipway deploy`);
  }
  const deployment = id;
  const emit = (text: string) => (args.json ? process.stdout.write(jsonLines(deployment, text)) : write(process.stdout, text));
  if (args.follow) {
    const path = `/projects/${args.project}/deployments/${id}/logs/stream`;
    const end = await followLogStream(
      (lastEventId) => api.stream(path, lastEventId ? { 'last-event-id': lastEventId } : {}),
      (text) => emit(text),
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
    emit(logs.text);
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
  print(args, result, () => [`slipway: deployment ${result.deployment.id} ${result.deployment.status}; the live version keeps serving`]);
  return 0;
}

/** `--status failed`: any case, checked here so the refusal names the flag and the values. */
export function executionStatus(given: string | undefined): string | undefined {
  if (given === undefined) return undefined;
  const status = given.toUpperCase();
  if (!(EXECUTION_STATUSES as readonly string[]).includes(status)) {
    throw new UsageError(`--status must be one of ${EXECUTION_STATUSES.map((s) => s.toLowerCase()).join(', ')}; got "${given}"`);
  }
  return status;
}

export async function executionsCommand(args: Printable & { status?: string }): Promise<number> {
  const query = args.status ? `?status=${encodeURIComponent(args.status)}` : '';
  const result = await new ApiClient(await connect()).get<{
    executions: Array<{ name: string; status: string; startDate: string; stopDate?: string }>;
  }>(`/executions${query}`);
  print(args, result, () =>
    result.executions.length === 0
      ? [`no executions${args.status ? ` with status ${args.status}` : ''}`]
      : table(
          ['STATUS', 'STARTED', 'NAME'],
          result.executions.map((e) => [e.status, e.startDate, e.name]),
        ),
  );
  return 0;
}
