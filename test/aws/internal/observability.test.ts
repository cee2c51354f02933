import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { bindTracer, instrumented, type LambdaTracer } from '../../../handlers/lib/observability.js';

describe('instrumented()', () => {
  it('runs without a bound tracer (the local back end) and passes the result through', async () => {
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

describe('the tracer', () => {
  it('is never loaded by the platform process: importing the handlers and the router loads no X-Ray SDK', () => {
    // A child process, so this worker's own imports do not count. dist/ is built by pretest.
    const script = [
      "import { createRequire } from 'node:module';",
      "await import('./dist/handlers/api/app.js');",
      "await import('./dist/router/lambda/handler.js');",
      "await import('./dist/handlers/pipeline/release.js');",
      'const cache = createRequire(import.meta.url).cache;',
      'console.log(JSON.stringify(Object.keys(cache).filter((m) => /aws-xray-sdk|powertools[\\/\\\\]tracer/.test(m))));',
    ].join('\n');
    const loaded = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(JSON.parse(loaded.trim().split('\n').at(-1) ?? 'null')).toEqual([]);
  });

  it('when bound and on, wraps the handler in its own subsegment and records the result or the error', async () => {
    const calls: string[] = [];
    const subsegment = { close: () => calls.push('close') };
    const parent = { addNewSubsegment: (name: string) => (calls.push(`open ${name}`), subsegment) };
    const fake: LambdaTracer = {
      isTracingEnabled: () => true,
      getSegment: () => parent,
      setSegment: (segment) => calls.push(segment === subsegment ? 'enter' : 'leave'),
      annotateColdStart: () => calls.push('cold'),
      addServiceNameAnnotation: () => calls.push('service'),
      addResponseAsMetadata: (data, name) => calls.push(`result ${name} ${JSON.stringify(data)}`),
      addErrorAsMetadata: (error) => calls.push(`error ${error.message}`),
    };
    bindTracer(fake);
    try {
      await expect(instrumented('ok', async () => 7)({})).resolves.toBe(7);
      expect(calls).toEqual(['open ## ok', 'enter', 'cold', 'service', 'result ok 7', 'close', 'leave']);
      calls.length = 0;
      await expect(
        instrumented('bad', async () => {
          throw new Error('boom');
        })({}),
      ).rejects.toThrow('boom');
      expect(calls).toEqual(['open ## bad', 'enter', 'cold', 'service', 'error boom', 'close', 'leave']);
    } finally {
      bindTracer({ ...fake, isTracingEnabled: () => false });
    }
  });
});
