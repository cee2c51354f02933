import { handle, type LambdaContext, type LambdaEvent } from 'hono/aws-lambda';
import { createApiApp } from './app.js';
import { instrumented } from '../lib/observability.js';
import { currentPlatform } from '../lib/bindings/platform.js';

/**
 * API Gateway names its own host in every event; the browser used the dashboard's (CloudFront
 * sends `/api/*` on without the viewer's Host). The API answers as its public URL, so the Origin
 * check of cookie requests, the cookies and the OAuth callback see the host the browser used.
 */
export function atPublicHost<E extends LambdaEvent>(event: E, publicUrl: string | undefined): E {
  if (!publicUrl || !('domainName' in event.requestContext)) return event;
  const host = new URL(publicUrl).host;
  return { ...event, headers: { ...event.headers, host }, requestContext: { ...event.requestContext, domainName: host } };
}

const app = handle(createApiApp());

/** The API Lambda (API Gateway HTTP API); the same app `slipway up` serves locally. */
export const handler = instrumented('api', (event: LambdaEvent, context?: LambdaContext) =>
  app(atPublicHost(event, currentPlatform().publicUrl), context),
);
