import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { putObject } from '../support/local-aws.js';
import { requireSandboxTools } from '../support/sandbox-tools.js';
import { createSandboxRunner, type SandboxRunner } from '../../infra/local/batch/sandbox.js';
import { readSse } from '../../cli/sse.js';
import { createReadyProject, deployOnce, quickBuild, startApiHarness, TOKEN, waitFor, type ApiHarness } from './support/api-harness.js';

/**
 * Cancelling a running deployment: the execution is stopped, the running build job is killed (its
 * promise settles at once), the deployment is CANCELLED and the live version stays live.
 */
let harness: ApiHarness;
let slow = false;
/** The slow build job of the current test: started, and how it ended. */
let job: { started: Promise<void>; settled: Promise<string>; aborted: boolean } | undefined;

beforeAll(async () => {
  harness = await startApiHarness({
    buildJob: (aws, request, options) => {
      if (!slow) return quickBuild(aws, request, options);
      const id = request.environment.SLIPWAY_BUILD_ID as string;
      let markStarted!: () => void;
      const started = new Promise<void>((resolve) => (markStarted = resolve));
      const run = (async () => {
        await putObject(aws.s3, 'slipway-builds', `builds/${id}/log/00000000.txt`, 'slipway: installing (slowly)\n');
        markStarted();
        // A build that would take a minute, unless its execution is stopped.
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(resolve, 60_000);
          options?.signal?.addEventListener('abort', () => {
            clearTimeout(timer);
            current.aborted = true;
            reject(Object.assign(new Error('build job killed'), { name: 'Batch.JobCancelled' }));
          });
        });
        await putObject(aws.s3, 'slipway-builds', `builds/${id}/bundle.tar.gz`, '');
        return { jobId: id, status: 'SUCCEEDED' as const };
      })();
      const current = {
        started,
        settled: run.then(
          () => 'finished',
          () => 'killed',
        ),
        aborted: false,
      };
      job = current;
      return run;
    },
  });
  await createReadyProject(harness, 'canceltest');
});

afterAll(async () => {
  await harness?.close();
});

async function startDeployment(project: string): Promise<{ id: string; executionArn: string }> {
  const archive = Buffer.from('cancel source');
  const source = await harness.call('POST', `/projects/${project}/sources`, { bytes: archive.length });
  await fetch(source.json.uploadUrl, { method: 'PUT', headers: source.json.headers, body: archive });
  const started = await harness.call('POST', `/projects/${project}/deployments`, { source: { key: source.json.source.key } });
  expect(started.status).toBe(202);
  return { id: started.json.deployment.id as string, executionArn: started.json.deployment.executionArn as string };
}

describe('POST /projects/{name}/deployments/{id}/cancel', () => {
  let live: string;

  it('cancels a BUILDING deployment: 202, CANCELLED, execution ABORTED, build job killed, live version unchanged', async () => {
    live = (await deployOnce(harness, 'canceltest')).id;
    slow = true;
    const { id, executionArn } = await startDeployment('canceltest');
    await waitFor(
      async () => job,
      (j) => j !== undefined,
    );
    await job!.started;
    expect((await harness.call('GET', `/projects/canceltest/deployments/${id}`)).json.deployment.status).toBe('BUILDING');
    // As if the execution held the project stack's turn (between Promote and Release) when it is stopped.
    const metaKey = { pk: 'PROJECT#canceltest', sk: 'META' };
    await harness.aws.platform.table.send(
      new UpdateCommand({
        TableName: 'slipway-platform',
        Key: metaKey,
        UpdateExpression: 'SET stackTurn = :exe, stackTurnUntil = :until',
        ExpressionAttributeValues: { ':exe': executionArn.slice(executionArn.lastIndexOf(':') + 1), ':until': '2999-01-01T00:00:00.000Z' },
      }),
    );

    const cancelled = await harness.call('POST', `/projects/canceltest/deployments/${id}/cancel`);
    expect(cancelled.status).toBe(202);
    expect(cancelled.json.deployment).toMatchObject({ id, status: 'CANCELLED', cancelledBy: 'admin', cancelledAt: expect.any(String) });

    // The stopped execution will never give the turn back itself: the cancel did, so the next deploy need not wait out the lease.
    const meta = await harness.aws.platform.table.send(
      new GetCommand({ TableName: 'slipway-platform', Key: metaKey, ConsistentRead: true }),
    );
    expect(meta.Item?.stackTurn).toBeUndefined();

    // The job was told to stop and its promise settled, long before its minute was up.
    const outcome = await Promise.race([job!.settled, new Promise((r) => setTimeout(() => r('still running'), 2_000))]);
    expect(outcome).toBe('killed');
    expect(job!.aborted).toBe(true);

    const record = await harness.engine.settled(executionArn);
    expect(record.status).toBe('ABORTED');
    // As on AWS, the aborted execution keeps StopExecution's error and cause: the platform log reads CANCELLED from it.
    expect(record).toMatchObject({ error: 'Slipway.Cancelled', cause: `deployment ${id} was cancelled by admin` });
    expect(record.events.at(-1)).toMatchObject({ type: 'ExecutionAborted', executionAbortedEventDetails: { error: 'Slipway.Cancelled' } });
    const execution = await harness.call('GET', `/projects/canceltest/deployments/${id}/execution`);
    expect(execution.json.execution.status).toBe('ABORTED');
    // Nothing after the build ran: no Catch into "failed", no release.
    await new Promise((r) => setTimeout(r, 300));
    expect((await harness.call('GET', `/projects/canceltest/deployments/${id}`)).json.deployment.status).toBe('CANCELLED');
    const project = await harness.call('GET', '/projects/canceltest');
    expect(project.json.project.liveDeploymentId).toBe(live);
    expect((await harness.call('GET', `/projects/canceltest/deployments/${live}`)).json.deployment.current).toBe(true);

    // The log stream of a cancelled deployment ends with its status.
    const response = await harness.app.request(`/api/v1/projects/canceltest/deployments/${id}/logs/stream`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    const events = [];
    for await (const event of readSse(response.body!)) events.push(event);
    expect(events.map((e) => e.event)).toEqual(['log', 'end']);
    expect(JSON.parse(events[1]!.data)).toEqual({ status: 'CANCELLED' });

    // Cancelling it again is a conflict that names the status.
    const again = await harness.call('POST', `/projects/canceltest/deployments/${id}/cancel`);
    expect(again.status).toBe(409);
    expect(again.json.error.message).toContain('is CANCELLED');
    slow = false;
  });

  it('refuses a LIVE deployment with 409 naming its status, and an unknown one with 404', async () => {
    const refused = await harness.call('POST', `/projects/canceltest/deployments/${live}/cancel`);
    expect(refused.status).toBe(409);
    expect(refused.json.error).toMatchObject({ code: 'Conflict', field: 'path.id' });
    expect(refused.json.error.message).toBe(`deployment ${live} is LIVE: only a QUEUED or BUILDING deployment can be cancelled`);
    expect((await harness.call('POST', '/projects/canceltest/deployments/d-nosuch-0000/cancel')).status).toBe(404);
    expect((await harness.call('POST', '/projects/canceltest/deployments/nope/cancel')).status).toBe(400);
    expect((await harness.call('GET', '/projects/canceltest')).json.project.liveDeploymentId).toBe(live);
  });
});

describe('the sandboxed build job when its execution is stopped', () => {
  it('kills the job process and rejects with Batch.JobCancelled', async () => {
    // A missing sandbox tool fails this test naming its package: it is never skipped.
    requireSandboxTools();
    const workRoot = await mkdtemp(join(tmpdir(), 'slipway-cancel-'));
    const marker = `slipway-cancel-probe-${randomBytes(6).toString('hex')}`;
    let run: SandboxRunner | undefined;
    try {
      run = createSandboxRunner({
        workRoot,
        hiddenPaths: [],
        baseEnvironment: {},
        command: [process.execPath, '-e', `setInterval(() => {}, 1000); // ${marker}`],
      });
      const stop = new AbortController();
      const job = run({ jobName: 'build-d-cancel', environment: {}, timeoutSeconds: 60 }, { signal: stop.signal });
      const running = () =>
        execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
          .split('\n')
          .some((line) => line.includes(marker));
      await waitFor(
        async () => running(),
        (yes) => yes,
      );
      stop.abort();
      await expect(job).rejects.toMatchObject({ name: 'Batch.JobCancelled' });
      expect(running()).toBe(false);
      // A job whose execution was stopped before it started never runs.
      await expect(run({ jobName: 'build-d-late', environment: {}, timeoutSeconds: 60 }, { signal: stop.signal })).rejects.toMatchObject({
        name: 'Batch.JobCancelled',
      });
    } finally {
      await run?.cleanedUp();
      await rm(workRoot, { recursive: true, force: true });
    }
  });
});
