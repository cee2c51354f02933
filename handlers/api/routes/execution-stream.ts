import { streamSSE } from 'hono/streaming';
import { ApiError } from '../errors.js';
import { requireDeployment } from '../records.js';
import { hasEndStatus } from '../build-log.js';
import { describeExecution, graphOf, viewOf, type ExecutionAnswer } from '../execution-answer.js';
import { ExecutionEventStream } from '../responses.js';
import { route, type ApiRoute } from '../route.js';
import { streamLimits } from '../stream-limits.js';
import { HEARTBEAT_MS, RECONNECT_DELAY_MS } from './deployment-logs.js';

export const executionStreamRoutes: ApiRoute[] = [];

/**
 * How often the execution's history is read again while it runs: a state's start or end reaches
 * the page within this. Two small reads (describe, history) per tick and follower.
 */
export const EXECUTION_POLL_MS = 400;

/**
 * A deployment's execution as server-sent events: `execution` with exactly what
 * `GET …/execution` answers (the view and graph, never raw history) at once and again whenever the
 * view changes, then `end` with `{status}` once the execution no longer runs. The state machine's
 * graph is read once per stream. A stream run by a Lambda ends before its time limit (or after
 * 3 MB) with `reconnect`: the client opens it again and gets the current view, so no event id is
 * needed.
 */
executionStreamRoutes.push(
  route({
    method: 'get',
    path: '/projects/{name}/deployments/{id}/execution/stream',
    operationId: 'streamDeploymentExecution',
    summary: "Follow a deployment's pipeline execution live, state by state (server-sent events), until it stops",
    tag: 'deployments',
    access: 'project:read',
    contentType: 'text/event-stream',
    responses: { 200: ExecutionEventStream },
    errors: [400, 401, 404],
    handler: async (c, { params: { name, id } }) => {
      const { executionArn } = await requireDeployment(name, id);
      if (!executionArn) throw new ApiError('NotFound', `deployment ${id} has no execution yet`, 'path.id');
      const limits = streamLimits(c);
      return streamSSE(
        c,
        async (stream) => {
          await stream.write(`retry: ${RECONNECT_DELAY_MS}\n\n`);
          let sentBytes = 0;
          let lastWrite = Date.now();
          let lastData = '';
          let graph: ExecutionAnswer['stateMachine'];
          let graphRead = false;
          while (!stream.aborted) {
            const described = await describeExecution(executionArn);
            if (!described) {
              // Between the record's write and the execution's start, or a start that failed.
              const deployment = await requireDeployment(name, id);
              if (hasEndStatus(deployment)) {
                await stream.writeSSE({ event: 'end', data: JSON.stringify({ status: deployment.status }) });
                return;
              }
            } else {
              if (!graphRead) {
                graph = await graphOf(described.stateMachineArn);
                graphRead = true;
              }
              const answer: ExecutionAnswer = { execution: await viewOf(described), ...(graph ? { stateMachine: graph } : {}) };
              const data = JSON.stringify(answer);
              if (data !== lastData) {
                await stream.writeSSE({ event: 'execution', data });
                lastData = data;
                lastWrite = Date.now();
                sentBytes += data.length;
              }
              if (answer.execution.status !== 'RUNNING') {
                await stream.writeSSE({ event: 'end', data: JSON.stringify({ status: answer.execution.status }) });
                return;
              }
            }
            if (limits && (Date.now() >= limits.deadline || sentBytes >= limits.maxBytes)) {
              await stream.writeSSE({ event: 'reconnect', data: 'this stream reached its time or size limit: reconnect' });
              return;
            }
            if (Date.now() - lastWrite >= HEARTBEAT_MS) {
              await stream.write(': heartbeat\n\n');
              lastWrite = Date.now();
            }
            await stream.sleep(EXECUTION_POLL_MS);
          }
        },
        async (error) => {
          console.error('slipway api: execution stream failed', error);
        },
      );
    },
  }),
);
