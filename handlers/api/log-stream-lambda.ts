import { streamHandle } from 'hono/aws-lambda';
import { createRouteApp } from './route-app.js';
import { deploymentLogRoutes } from './routes/deployment-logs.js';

/**
 * The log-stream Lambda: the API's log stream route alone, behind a function URL in RESPONSE_STREAM
 * mode that the dashboard distribution routes `…/logs/stream` to, so events reach the client as they
 * are written (the HTTP API in front of the API Lambda buffers a response until it ends, at most 29 s).
 * It authenticates and checks access exactly as the API does: the same app code, one route.
 */
export const handler = streamHandle(createRouteApp(deploymentLogRoutes));
