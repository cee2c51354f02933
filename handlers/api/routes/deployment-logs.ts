import { streamSSE, type SSEStreamingApi } from 'hono/streaming';
import { ApiError } from '../errors.js';
import { requireDeployment } from '../records.js';
import { buildEnded, hasEndStatus, logPrefix, readLogPage } from '../build-log.js';
import { LogEventStream, LastEventId } from '../responses.js';
import { route, type ApiRoute } from '../route.js';
import { streamDeadline } from '../stream-deadline.js';

export const deploymentLogRoutes: ApiRoute[] = [];

/** How often the log is listed again (and a running execution asked) while the build runs. */
export const LOG_POLL_MS = 500;
/**
 * How often the deployment's record is read between listings: a follower learns of the end within
 * this, and every deploy waits half of it on average. One small read: 20 a second per follower.
 */
export const STATUS_POLL_MS = 50;
/** A comment line at least this often, so proxies keep an idle stream open. */
export const HEARTBEAT_MS = 15_000;
const MAX_EVENT_ID = 300;
/** How long an EventSource waits before it reconnects after the stream closes (the SSE `retry` field). */
export const RECONNECT_DELAY_MS = 1_000;

/**
 * Sends every chunk after `cursor` as a `log` event whose id is the chunk key, page by page until
 * none is left (`complete`) or `deadline` has passed; returns the last key sent.
 */
async function sendChunksAfter(
  stream: SSEStreamingApi,
  deploymentId: string,
  cursor: string | undefined,
  deadline: number,
): Promise<{ cursor: string | undefined; complete: boolean }> {
  for (;;) {
    if (stream.aborted || Date.now() >= deadline) return { cursor, complete: false };
    const page = await readLogPage(deploymentId, cursor);
    for (const chunk of page.chunks) {
      if (stream.aborted) return { cursor, complete: false };
      await stream.writeSSE({ event: 'log', id: chunk.key, data: chunk.text });
      cursor = chunk.key;
    }
    if (!page.truncated || page.chunks.length === 0) return { cursor, complete: true };
  }
}

/**
 * The build log as server-sent events: a `log` event per chunk (its id the chunk key, so a client
 * that reconnects with `Last-Event-ID` resumes after it), then one `end` event with
 * `{ status, failedState?, error? }` once the deployment is terminal or its execution stopped.
 * As in the cursor route, the status is read before the listing: after a terminal status no chunk
 * can appear, so the listing that follows it is the last.
 * A stream run by a Lambda ends before the Lambda's time limit (streamDeadline) with a `reconnect`
 * event: the client opens it again with `Last-Event-ID` and misses nothing. Through the log-stream
 * function that is every ~15 minutes; through the buffered HTTP API, which delivers the response
 * only when it ends, every ~24 s (a long poll).
 */
deploymentLogRoutes.push(
  route({
    method: 'get',
    path: '/projects/{name}/deployments/{id}/logs/stream',
    operationId: 'streamDeploymentLogs',
    summary: "Follow a deployment's build log live (server-sent events) until the deployment ends",
    tag: 'deployments',
    access: 'project:read',
    headers: [
      { name: 'Last-Event-ID', description: 'Resume after this log event id (a chunk key of this deployment).', schema: LastEventId },
    ],
    contentType: 'text/event-stream',
    responses: { 200: LogEventStream },
    errors: [400, 401, 404],
    handler: async (c, { params: { name, id } }) => {
      const prefix = logPrefix(id);
      const lastEventId = c.req.header('last-event-id');
      if (
        lastEventId !== undefined &&
        (!lastEventId.startsWith(prefix) || lastEventId.length > MAX_EVENT_ID || lastEventId.includes('..'))
      ) {
        throw new ApiError(
          'BadRequest',
          `header.last-event-id must be an event id sent for deployment ${id} (${prefix}...)`,
          'header.last-event-id',
        );
      }
      await requireDeployment(name, id);

      const deadline = streamDeadline(c) ?? Number.POSITIVE_INFINITY;
      return streamSSE(
        c,
        async (stream) => {
          // At once: the response head goes out (a Lambda stream sends it with the first bytes).
          await stream.write(`retry: ${RECONNECT_DELAY_MS}\n\n`);
          let cursor = lastEventId;
          let lastWrite = Date.now();
          let listedAt = Number.NEGATIVE_INFINITY;
          while (!stream.aborted) {
            const deployment = await requireDeployment(name, id);
            // The record alone at each tick (one read); the execution and the listing at LOG_POLL_MS.
            const due = Date.now() - listedAt >= LOG_POLL_MS;
            const ended = hasEndStatus(deployment) || (due && (await buildEnded(deployment)));
            let complete = false;
            if (ended || due) {
              listedAt = Date.now();
              const before = cursor;
              ({ cursor, complete } = await sendChunksAfter(stream, id, cursor, deadline));
              if (cursor !== before) lastWrite = Date.now();
            }
            if (ended && complete) {
              const end = {
                status: deployment.status,
                ...(deployment.failedState ? { failedState: deployment.failedState } : {}),
                ...(deployment.error ? { error: deployment.error } : {}),
              };
              await stream.writeSSE({ event: 'end', data: JSON.stringify(end) });
              return;
            }
            if (Date.now() >= deadline) {
              await stream.writeSSE({ event: 'reconnect', data: 'this stream reached its time limit: reconnect with Last-Event-ID' });
              return;
            }
            if (Date.now() - lastWrite >= HEARTBEAT_MS) {
              await stream.write(': heartbeat\n\n');
              lastWrite = Date.now();
            }
            await stream.sleep(STATUS_POLL_MS);
          }
        },
        async (error) => {
          // streamSSE then sends `event: error` with the message and closes the stream.
          console.error('slipway api: log stream failed', error);
        },
      );
    },
  }),
);
