import { Tracer } from '@aws-lambda-powertools/tracer';
import { bindTracer } from '../../../handlers/lib/observability.js';

/**
 * Imported first by every Lambda bundle (`handlerFunction`): X-Ray tracing through Powertools.
 * Only here, so the local platform, which runs the same handlers in one long-lived process, never
 * loads the X-Ray SDK and its async hook.
 */
bindTracer(new Tracer({ serviceName: 'slipway' }));
