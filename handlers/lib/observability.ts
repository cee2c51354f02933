import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';

/**
 * What `instrumented()` needs of Powertools' Tracer. The Tracer itself is bound only by the AWS
 * Lambda bundles (`infra/aws/runtime/bind-tracer.ts`): importing it loads the X-Ray SDK, whose
 * async hook makes every `await` of the process dearer, so the local platform never imports it.
 */
export interface LambdaTracer {
  isTracingEnabled(): boolean;
  getSegment(): { addNewSubsegment(name: string): { close(): void } } | undefined;
  setSegment(segment: unknown): void;
  annotateColdStart(): void;
  addServiceNameAnnotation(): void;
  addResponseAsMetadata(data: unknown, methodName: string): void;
  addErrorAsMetadata(error: Error): void;
}

let tracer: LambdaTracer | undefined;

/** Called once by the AWS bundle's entry, before the handler module loads. */
export function bindTracer(bound: LambdaTracer): void {
  tracer = bound;
}

/** Whether this process traces: a tracer is bound and Powertools finds X-Ray on. */
export function isTracing(): boolean {
  return tracer?.isTracingEnabled() ?? false;
}

export const logger = new Logger({ serviceName: 'slipway' });

/**
 * Wraps a Lambda handler the way Powertools' `captureLambdaHandler` middleware does, without
 * middy: a `## <name>` subsegment with the cold-start and service annotations, the result or the
 * error as metadata, and the Lambda context (request id, function name, cold start) on every log
 * line. The error is rethrown unchanged, so Step Functions still matches its name in Catch/Retry.
 * Without a bound tracer (the local back end, tests), or with tracing off, it only calls the handler.
 */
export function instrumented<E, R>(
  name: string,
  handler: (event: E, context?: Context) => Promise<R>,
): (event: E, context?: Context) => Promise<R> {
  return async (event: E, context?: Context): Promise<R> => {
    if (context) logger.addContext(context);
    logger.appendKeys({ handler: name });
    if (!tracer?.isTracingEnabled()) {
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
