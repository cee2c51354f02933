import { Hono } from 'hono';
import { ListExecutionsCommand, type ExecutionListItem } from '@aws-sdk/client-sfn';
import { sfnClient } from '../../lib/clients.js';
import { parse } from '../errors.js';
import type { ApiEnv } from '../context.js';
import { ExecutionsQuery } from '../schemas.js';
import { allStateMachineArns } from '../executions.js';
import { requirePermission } from '../identity/access.js';

export const executionRoutes = new Hono<ApiEnv>();

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
executionRoutes.get('/', async (c) => {
  requirePermission(c, 'executions:read');
  const { status } = parse(ExecutionsQuery, c.req.query(), 'query');
  const executions: ExecutionListItem[] = [];
  for (const stateMachineArn of allStateMachineArns()) {
    const page = await sfnClient().send(new ListExecutionsCommand({ stateMachineArn, statusFilter: status, maxResults: 100 }));
    executions.push(...(page.executions ?? []));
  }
  executions.sort((a, b) => (b.startDate?.getTime() ?? 0) - (a.startDate?.getTime() ?? 0));
  return c.json({ executions: executions.map(listed) });
});
