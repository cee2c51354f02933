import { streamHandle } from 'hono/aws-lambda';
import { createRouteApp } from './route-app.js';
import { deploymentLogRoutes } from './routes/deployment-logs.js';
import { executionStreamRoutes } from './routes/execution-stream.js';

/**
 * The log-stream Lambda: the API's two stream routes alone (a deployment's build log and its
 * execution, state by state), behind a function URL in RESPONSE_STREAM mode that the dashboard
 * distribution routes `…/logs/stream` and `…/execution/stream` to, so events reach the client as
 * they are written (the HTTP API in front of the API Lambda buffers a response until it ends, at
 * most 29 s). It authenticates and checks access exactly as the API does: the same app code.
 */
export const handler = streamHandle(createRouteApp([...deploymentLogRoutes, ...executionStreamRoutes]));
