import { streamSSE, type SSEStreamingApi } from 'hono/streaming';
import { ApiError } from '../errors.js';
import { requireDeployment } from '../records.js';
import { buildEnded, hasEndStatus, logPrefix, readLogPage } from '../build-log.js';
import { LogEventStream, LastEventId } from '../responses.js';
import { route, type ApiRoute } from '../route.js';
import { streamLimits, type StreamLimits } from '../stream-limits.js';

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

const UNLIMITED: StreamLimits = { deadline: Number.POSITIVE_INFINITY, maxBytes: Number.POSITIVE_INFINITY };

/** One stream's progress against its limits. */
interface Sent {
  cursor: string | undefined;
  bytes: number;
}

/** Whether the stream must end now with `reconnect`. */
const spent = (sent: Sent, limits: StreamLimits) => Date.now() >= limits.deadline || sent.bytes >= limits.maxBytes;

/**
 * Sends every chunk after `sent.cursor` as a `log` event whose id is the chunk key, page by page,
 * advancing `sent`; true when none is left, false when the reader left or a limit was reached.
 */
async function sendChunksAfter(stream: SSEStreamingApi, deploymentId: string, sent: Sent, limits: StreamLimits): Promise<boolean> {
  for (;;) {
    if (stream.aborted || spent(sent, limits)) return false;
    const page = await readLogPage(deploymentId, sent.cursor);
    for (const chunk of page.chunks) {
      if (stream.aborted || spent(sent, limits)) return false;
      await stream.writeSSE({ event: 'log', id: chunk.key, data: chunk.text });
      sent.cursor = chunk.key;
      sent.bytes += Buffer.byteLength(chunk.text) + chunk.key.length;
    }
    if (!page.truncated || page.chunks.length === 0) return true;
  }
}

/**
 * The build log as server-sent events: a `log` event per chunk (its id the chunk key, so a client
 * that reconnects with `Last-Event-ID` resumes after it), then one `end` event with
 * `{ status, failedState?, error? }` once the deployment is terminal or its execution stopped.
 * As in the cursor route, the status is read before the listing: after a terminal status no chunk
 * can appear, so the listing that follows it is the last.
 * A stream run by a Lambda ends before the Lambda's time limit, or once it has sent 3 MB
 * (streamLimits), with a `reconnect` event: the client opens it again with `Last-Event-ID` and
 * misses nothing. Through the log-stream function that is every ~15 minutes; through the buffered
 * HTTP API, which delivers the response only when it ends, every ~24 s (a long poll).
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

      const limits = streamLimits(c) ?? UNLIMITED;
      return streamSSE(
        c,
        async (stream) => {
          // At once: the response head goes out (a Lambda stream sends it with the first bytes).
          await stream.write(`retry: ${RECONNECT_DELAY_MS}\n\n`);
          const sent: Sent = { cursor: lastEventId, bytes: 0 };
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
              const before = sent.cursor;
              complete = await sendChunksAfter(stream, id, sent, limits);
              if (sent.cursor !== before) lastWrite = Date.now();
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
            if (spent(sent, limits)) {
              await stream.writeSSE({
                event: 'reconnect',
                data: 'this stream reached its time or size limit: reconnect with Last-Event-ID',
              });
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
