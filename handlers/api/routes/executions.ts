import type { ExecutionListItem } from '@aws-sdk/client-sfn';
import { ApiError } from '../errors.js';
import { ExecutionsQuery, type Workflow } from '../schemas.js';
import { platformMachines } from '../executions.js';
import { listExecutionsPage, namedIn } from '../execution-list.js';
import * as v from 'valibot';
import { ExecutionListItem as ListedExecution } from '../responses.js';
import { route, type ApiRoute } from '../route.js';

export const executionRoutes: ApiRoute[] = [];

/** What the list shows of an execution: which one, its workflow, status and dates, and what its name tells; nothing of its data. */
function listed(workflow: Workflow, execution: ExecutionListItem) {
  return {
    executionArn: execution.executionArn,
    stateMachineArn: execution.stateMachineArn,
    workflow,
    name: execution.name,
    status: execution.status,
    startDate: execution.startDate,
    ...(execution.stopDate ? { stopDate: execution.stopDate } : {}),
    ...namedIn(workflow, execution.name ?? ''),
  };
}

/** Every pipeline execution, newest first, by status and workflow, a page at a time: the operator's view. */
executionRoutes.push(
  route({
    method: 'get',
    path: '/executions',
    operationId: 'listExecutions',
    summary:
      'List pipeline executions, newest first, optionally of one status and one workflow; `nextToken` (in the answer while more follow) gives the next page for the same filters (admin)',
    tag: 'executions',
    access: 'executions:read',
    query: ExecutionsQuery,
    responses: { 200: v.object({ executions: v.array(ListedExecution), nextToken: v.optional(v.string()) }) },
    errors: [400, 401, 403],
    handler: async (c, { query }) => {
      const { status, workflow, nextToken } = query;
      const machines = platformMachines();
      if (workflow && !machines.some((machine) => machine.workflow === workflow)) {
        throw new ApiError('BadRequest', `query.workflow ${workflow} is not a workflow this platform runs`, 'query.workflow');
      }
      const limit = query.limit === undefined ? 50 : Number(query.limit);
      const page = await listExecutionsPage(machines, { status, workflow }, limit, nextToken);
      return c.json({
        executions: page.executions.map(({ workflow, execution }) => listed(workflow, execution)),
        ...(page.nextToken ? { nextToken: page.nextToken } : {}),
      });
    },
  }),
);
