import { ListExecutionsCommand, type ExecutionListItem, type ExecutionStatus, type ListExecutionsCommandOutput } from '@aws-sdk/client-sfn';
import * as v from 'valibot';
import { ApiError } from './errors.js';
import { sfnClient } from '../lib/clients.js';
import { DEPLOYMENT_ID, PROJECT_NAME } from '../lib/names.js';
import { WORKFLOWS, type Workflow } from './schemas.js';

/** Where a machine's list goes on: the Step Functions page token (none: the first page) and how many of that page were shown. */
const MachineCursor = v.tuple([
  v.picklist(WORKFLOWS),
  v.nullable(v.pipe(v.string(), v.maxLength(2048))),
  v.pipe(v.number(), v.integer(), v.minValue(0)),
]);
type MachineCursor = v.InferOutput<typeof MachineCursor>;

/** The page token: the filters it was made for and, per machine not yet listed to its end, its cursor. */
const PageToken = v.strictObject({
  status: v.nullable(v.string()),
  workflow: v.nullable(v.string()),
  machines: v.pipe(v.array(MachineCursor), v.maxLength(WORKFLOWS.length)),
});
type PageToken = v.InferOutput<typeof PageToken>;

export interface ListFilter {
  status?: ExecutionStatus | undefined;
  workflow?: Workflow | undefined;
}

export interface ListedPage {
  executions: Array<{ workflow: Workflow; execution: ExecutionListItem }>;
  nextToken?: string;
}

const badToken = (why: string) => new ApiError('BadRequest', `query.nextToken ${why}: list again from the first page`, 'query.nextToken');

function decodeToken(token: string, filter: ListFilter): PageToken {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw badToken('is not a page token');
  }
  const result = v.safeParse(PageToken, parsed);
  if (!result.success) throw badToken('is not a page token');
  if (result.output.status !== (filter.status ?? null) || result.output.workflow !== (filter.workflow ?? null)) {
    throw badToken('was made for other filters');
  }
  return result.output;
}

function encodeToken(filter: ListFilter, machines: MachineCursor[]): string {
  const token: PageToken = { status: filter.status ?? null, workflow: filter.workflow ?? null, machines };
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

interface Buffered {
  execution: ExecutionListItem;
  /** The cursor that starts a list at this execution. */
  at: MachineCursor;
}

/** At least `want` executions of one machine from its cursor on (fewer at its end), and the cursor after them. */
async function readMachine(
  stateMachineArn: string,
  cursor: MachineCursor,
  want: number,
  status: ExecutionStatus | undefined,
): Promise<{ items: Buffered[]; after?: MachineCursor }> {
  const [workflow] = cursor;
  const items: Buffered[] = [];
  let [, token, skip] = cursor;
  for (;;) {
    let page: ListExecutionsCommandOutput;
    try {
      page = await sfnClient().send(
        new ListExecutionsCommand({ stateMachineArn, statusFilter: status, maxResults: want, ...(token ? { nextToken: token } : {}) }),
      );
    } catch (error) {
      // Step Functions page tokens expire after a day.
      if ((error as Error).name === 'InvalidToken') throw badToken('has expired');
      throw error;
    }
    const executions = page.executions ?? [];
    for (let index = skip; index < executions.length; index++) {
      items.push({ execution: executions[index] as ExecutionListItem, at: [workflow, token, index] });
    }
    if (!page.nextToken) return { items };
    if (items.length >= want) return { items, after: [workflow, page.nextToken, 0] };
    token = page.nextToken;
    skip = 0;
  }
}

/**
 * One page of executions of every machine (or one workflow's), newest first: each machine's list
 * is newest first, so the page is a merge of their heads, and the token keeps, per machine, where
 * its list goes on.
 */
export async function listExecutionsPage(
  machines: ReadonlyArray<{ workflow: Workflow; stateMachineArn: string }>,
  filter: ListFilter,
  limit: number,
  nextToken?: string,
): Promise<ListedPage> {
  const cursors: MachineCursor[] = nextToken
    ? decodeToken(nextToken, filter).machines
    : machines.filter((m) => !filter.workflow || m.workflow === filter.workflow).map((m) => [m.workflow, null, 0]);
  const arnOf = new Map(machines.map((m) => [m.workflow, m.stateMachineArn]));
  const reads = await Promise.all(
    cursors.map(async (cursor) => {
      const arn = arnOf.get(cursor[0]);
      if (!arn) throw badToken(`names the workflow ${cursor[0]}, which this platform does not run`);
      return { workflow: cursor[0], ...(await readMachine(arn, cursor, limit, filter.status)) };
    }),
  );
  const heads = reads.map(() => 0);
  const executions: ListedPage['executions'] = [];
  while (executions.length < limit) {
    let newest = -1;
    for (const [index, read] of reads.entries()) {
      const head = read.items[heads[index] as number];
      if (!head) continue;
      const best = newest < 0 ? undefined : reads[newest]?.items[heads[newest] as number];
      if (!best || startOf(head) > startOf(best)) newest = index;
    }
    if (newest < 0) break;
    const read = reads[newest] as (typeof reads)[number];
    executions.push({ workflow: read.workflow, execution: (read.items[heads[newest] as number] as Buffered).execution });
    heads[newest] = (heads[newest] as number) + 1;
  }
  const next: MachineCursor[] = [];
  for (const [index, read] of reads.entries()) {
    const head = read.items[heads[index] as number];
    if (head) next.push(head.at);
    else if (read.after) next.push(read.after);
  }
  return { executions, ...(next.length > 0 ? { nextToken: encodeToken(filter, next) } : {}) };
}

const startOf = (item: Buffered) => item.execution.startDate?.getTime() ?? 0;

const NAMED = new RegExp(`^(${PROJECT_NAME})--(?:init-project|delete-project|rollback|build-deploy)--`);
const BUILD_DEPLOY = new RegExp(`^${PROJECT_NAME}--build-deploy--(?:[0-9a-f]{7}--)?(${DEPLOYMENT_ID})$`);

/** The project, and for a build-and-deploy the deployment, an execution's name tells (handlers/api/executions.ts executionName). */
export function namedIn(workflow: Workflow, name: string): { project?: string; deploymentId?: string } {
  if (workflow === 'template-rollout') return {};
  const project = NAMED.exec(name)?.[1];
  if (!project) return {};
  const deploymentId = workflow === 'build-deploy' ? BUILD_DEPLOY.exec(name)?.[1] : undefined;
  return { project, ...(deploymentId ? { deploymentId } : {}) };
}
