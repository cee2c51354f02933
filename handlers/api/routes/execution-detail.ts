import * as v from 'valibot';
import { ApiError } from '../errors.js';
import { answerFor, describeExecution } from '../execution-answer.js';
import { allStateMachineArns, executionArnOf } from '../executions.js';
import { ExecutionView, StateMachineGraph } from '../responses.js';
import { route, type ApiRoute } from '../route.js';

export const executionDetailRoutes: ApiRoute[] = [];

/**
 * Any execution by name (init-project, build-deploy, delete-project, rollback, template rollout):
 * the same view and graph as a deployment's execution, for operators. Names are unique per state
 * machine, so each of the platform's machines is asked for it; the first that has it answers.
 */
executionDetailRoutes.push(
  route({
    method: 'get',
    path: '/executions/{executionName}',
    operationId: 'getExecution',
    summary:
      "Any pipeline execution by name, state by state: a view (status, times, summarised errors, allow-listed results) and its state machine's graph, never the raw history (admin)",
    tag: 'executions',
    access: 'executions:read',
    responses: { 200: v.object({ execution: ExecutionView, stateMachine: v.optional(StateMachineGraph) }) },
    errors: [400, 401, 403, 404],
    handler: async (c, { params: { executionName } }) => {
      const found = await Promise.all(allStateMachineArns().map((arn) => describeExecution(executionArnOf(arn, executionName))));
      const described = found.find((execution) => execution !== undefined);
      if (!described) throw new ApiError('NotFound', `no execution is named ${executionName}`, 'path.executionName');
      return c.json(await answerFor(described));
    },
  }),
);
