import { ListExecutionsCommand, type ExecutionListItem } from '@aws-sdk/client-sfn';
import { sfnClient } from '../../lib/clients.js';
import { ExecutionsQuery } from '../schemas.js';
import { allStateMachineArns } from '../executions.js';
import * as v from 'valibot';
import { ExecutionListItem as ListedExecution } from '../responses.js';
import { route, type ApiRoute } from '../route.js';

export const executionRoutes: ApiRoute[] = [];

/** What the list shows of an execution: which one, its machine, status and dates; nothing of its data. */
function listed(execution: ExecutionListItem) {
  return {
    executionArn: execution.executionArn,
    stateMachineArn: execution.stateMachineArn,
    name: execution.name,
    status: execution.status,
    startDate: execution.startDate,
    ...(execution.stopDate ? { stopDate: execution.stopDate } : {}),
  };
}

/** Every pipeline execution, newest first, optionally by status: the operator's view. */
executionRoutes.push(
  route({
    method: 'get',
    path: '/executions',
    operationId: 'listExecutions',
    summary: 'List pipeline executions, newest first (admin)',
    tag: 'executions',
    access: 'executions:read',
    query: ExecutionsQuery,
    responses: { 200: v.object({ executions: v.array(ListedExecution) }) },
    errors: [400, 401, 403],
    handler: async (c, { query }) => {
      const { status } = query;
      const executions: ExecutionListItem[] = [];
      for (const stateMachineArn of allStateMachineArns()) {
        const page = await sfnClient().send(new ListExecutionsCommand({ stateMachineArn, statusFilter: status, maxResults: 100 }));
        executions.push(...(page.executions ?? []));
      }
      executions.sort((a, b) => (b.startDate?.getTime() ?? 0) - (a.startDate?.getTime() ?? 0));
      return c.json({ executions: executions.map(listed) });
    },
  }),
);
