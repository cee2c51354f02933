import { handle } from 'hono/aws-lambda';
import { createApiApp } from './app.js';
import { instrumented } from '../lib/observability.js';

/** The API Lambda (API Gateway HTTP API); the same app `slipway up` serves locally. */
export const handler = instrumented('api', handle(createApiApp()));
