import { Logger } from '@aws-lambda-powertools/logger';
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { Context } from 'aws-lambda';

/**
 * Powertools for every Slipway Lambda. `handlerFunction()` sets POWERTOOLS_SERVICE_NAME=slipway
 * and active X-Ray tracing on AWS; outside Lambda (the local back end, tests) Powertools turns
 * tracing off by itself, and `instrumented()` then only calls the handler.
 */
export const tracer = new Tracer({ serviceName: 'slipway' });
export const logger = new Logger({ serviceName: 'slipway' });

/**
 * Wraps a Lambda handler the way Powertools' `captureLambdaHandler` middleware does, without
 * middy: a `## <name>` subsegment with the cold-start and service annotations, the result or the
 * error as metadata, and the Lambda context (request id, function name, cold start) on every log
 * line. The error is rethrown unchanged, so Step Functions still matches its name in Catch/Retry.
 */
export function instrumented<E, R>(
  name: string,
  handler: (event: E, context?: Context) => Promise<R>,
): (event: E, context?: Context) => Promise<R> {
  return async (event: E, context?: Context): Promise<R> => {
    if (context) logger.addContext(context);
    logger.appendKeys({ handler: name });
    if (!tracer.isTracingEnabled()) {
      try {
        return await handler(event, context);
      } finally {
        logger.removeKeys(['handler']);
      }
    }
    const parent = tracer.getSegment();
    const subsegment = parent?.addNewSubsegment(`## ${name}`);
    if (subsegment) tracer.setSegment(subsegment);
    tracer.annotateColdStart();
    tracer.addServiceNameAnnotation();
    try {
      const result = await handler(event, context);
      tracer.addResponseAsMetadata(result, name);
      return result;
    } catch (error) {
      tracer.addErrorAsMetadata(error as Error);
      logger.error(`${name} failed`, error as Error);
      throw error;
    } finally {
      if (parent && subsegment) {
        subsegment.close();
        tracer.setSegment(parent);
      }
      logger.removeKeys(['handler']);
    }
  };
}
