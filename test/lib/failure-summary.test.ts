import { describe, expect, it } from 'vitest';
import { MAX_CAUSE_LENGTH, redactCredentials, summariseCause, summariseError } from '../../handlers/lib/failure-summary.js';
import { handler as summariseFailure } from '../../handlers/pipeline/summarise-failure.js';

const SECRET_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY';
const SESSION_TOKEN = 'IQoJb3JpZ2luX2VjEXAMPLE/sessionTOKEN+1234567890abcdefGHIJ';
const TICKET = 'eyJhbGciOiJIUzI1NiJ9.eyJvcCI6ImJ1aWxkLWRlcGxveSJ9.c2lnbmF0dXJlLXZhbHVl';

const batchJob = {
  JobArn: 'arn:aws:batch:eu-west-1:123456789012:job/abc',
  JobName: 'slipway-build',
  JobId: 'f00d-1',
  Status: 'FAILED',
  StatusReason: 'Essential container in task exited',
  Attempts: [
    {
      Container: { ExitCode: 1, Reason: 'OutOfMemoryError: Container killed due to memory usage' },
      StatusReason: 'Essential container in task exited',
    },
  ],
  Container: {
    Image: 'slipway-build',
    ExitCode: 1,
    Environment: [
      { Name: 'AWS_ACCESS_KEY_ID', Value: 'ASIAQWERTYUIOPASDFGH' },
      { Name: 'AWS_SECRET_ACCESS_KEY', Value: SECRET_KEY },
      { Name: 'AWS_SESSION_TOKEN', Value: SESSION_TOKEN },
      { Name: 'SLIPWAY_TICKET', Value: TICKET },
    ],
  },
};

describe('failure summaries', () => {
  it('turns a Batch job description into its status reason, exit code and container reason', () => {
    const summary = summariseCause(JSON.stringify(batchJob));
    expect(summary).toBe('Batch job slipway-build f00d-1 FAILED: Essential container in task exited: container exit code 1');
    for (const secret of ['ASIAQWERTYUIOPASDFGH', SECRET_KEY, SESSION_TOKEN, TICKET]) expect(summary).not.toContain(secret);
  });

  it('takes the container reason from the last attempt when the job has none of its own', () => {
    const { Container: _c, ...withoutContainer } = batchJob;
    expect(summariseCause(JSON.stringify(withoutContainer))).toBe(
      'Batch job slipway-build f00d-1 FAILED: Essential container in task exited: container exit code 1: OutOfMemoryError: Container killed due to memory usage',
    );
  });

  it('turns a Lambda error into its type and message, without the trace', () => {
    const cause = JSON.stringify({
      errorType: 'InvalidBuildOutput',
      errorMessage: 'bundle has ../x',
      trace: ['at /var/task/handlers/pipeline/validate-output.js:1:1'],
    });
    expect(summariseCause(cause)).toBe('InvalidBuildOutput: bundle has ../x');
  });

  it('keeps plain text, redacting anything credential-looking and cutting it short', () => {
    const text = `build failed: AWS_SECRET_ACCESS_KEY=${SECRET_KEY} token: ghs_abcdefghijklmnopqrstuvwx ticket ${TICKET} key ASIAQWERTYUIOPASDFGH session=${SESSION_TOKEN}`;
    const summary = summariseCause(text);
    expect(summary.startsWith('build failed: AWS_SECRET_ACCESS_KEY=[redacted]')).toBe(true);
    for (const secret of [SECRET_KEY, 'ghs_abcdefghijklmnopqrstuvwx', TICKET, 'ASIAQWERTYUIOPASDFGH', SESSION_TOKEN])
      expect(summary).not.toContain(secret);
    expect(summariseCause('x'.repeat(5000)).length).toBe(MAX_CAUSE_LENGTH);
  });

  it('leaves ordinary causes alone: paths, digests, commits, deployment ids', () => {
    const text =
      'could not download acme/site@0123456789abcdef0123456789abcdef01234567 (HTTP 404) for sources/site/github-d-lz3k9a-x7y8.tar.gz';
    expect(redactCredentials(text)).toBe(text);
    expect(summariseCause('the project stack ended in UPDATE_ROLLBACK_COMPLETE')).toBe(
      'the project stack ended in UPDATE_ROLLBACK_COMPLETE',
    );
  });

  it('keeps error names, and cuts anything that is not one', () => {
    expect(summariseError('States.TaskFailed')).toBe('States.TaskFailed');
    expect(summariseError(`oops ${TICKET}`)).toBe('oops [redacted]');
  });

  it('the pipeline step summarises a caught failure and refuses input that is not one', async () => {
    await expect(
      summariseFailure({ failure: { state: 'Build', error: 'States.TaskFailed', cause: JSON.stringify(batchJob) } }),
    ).resolves.toEqual({
      state: 'Build',
      error: 'States.TaskFailed',
      cause: 'Batch job slipway-build f00d-1 FAILED: Essential container in task exited: container exit code 1',
    });
    await expect(summariseFailure({ nothing: true })).rejects.toThrow('summarise input field failure is invalid');
  });
});
