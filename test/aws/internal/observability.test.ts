import { describe, expect, it } from 'vitest';
import { instrumented, tracer } from '../../../handlers/lib/observability.js';
import { handler as placeholder } from '../../../handlers/dashboard/placeholder.js';

describe('instrumented()', () => {
  it('runs outside Lambda with tracing off and passes the result through', async () => {
    expect(process.env.AWS_LAMBDA_FUNCTION_NAME).toBeUndefined();
    expect(tracer.isTracingEnabled()).toBe(false);
    const wrapped = instrumented('echo', async (event: { n: number }) => ({ doubled: event.n * 2 }));
    await expect(wrapped({ n: 21 })).resolves.toEqual({ doubled: 42 });
  });

  it('rethrows the handler error unchanged (Step Functions matches its name)', async () => {
    class TicketError extends Error {
      override name = 'TicketError';
    }
    const error = new TicketError('expired');
    const wrapped = instrumented('fails', async () => {
      throw error;
    });
    await expect(wrapped({})).rejects.toBe(error);
  });

  it('accepts a Lambda context', async () => {
    const context = {
      functionName: 'slipway-test',
      functionVersion: '$LATEST',
      invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:slipway-test',
      memoryLimitInMB: '512',
      awsRequestId: 'req-1',
      logGroupName: '/aws/lambda/slipway-test',
      logStreamName: 's',
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => 1000,
      done: () => undefined,
      fail: () => undefined,
      succeed: () => undefined,
    };
    const wrapped = instrumented('ctx', async () => 'ok');
    await expect(wrapped({}, context)).resolves.toBe('ok');
  });
});

describe('dashboard placeholder', () => {
  it('answers an HTML page that points at the API on the same origin', async () => {
    const result = await placeholder(undefined);
    expect(result.statusCode).toBe(200);
    expect(result.headers?.['content-type']).toMatch(/^text\/html/);
    expect(result.body).toContain('/api/v1/');
  });
});
