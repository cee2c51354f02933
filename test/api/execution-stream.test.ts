/**
 * A deployment's execution as server-sent events (`…/execution/stream`), directly and through the
 * log-stream Lambda, and any execution by name (`GET /executions/{executionName}`).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSse, type SseEvent } from '../../cli/sse.js';
import { STREAM_END_MARGIN_MS } from '../../handlers/api/stream-limits.js';
import { putObject } from '../support/local-aws.js';
import { tarFixture, validBundleEntries } from '../support/tar-fixture.js';
import { invokeStream, lambdaContext, loadLogStreamLambda, type StreamingHandler, unloadAwsLambdaGlobal } from './support/lambda-stream.js';
import { createReadyProject, startApiHarness, TOKEN, userWithToken, type ApiHarness } from './support/api-harness.js';

/** The build takes this long, so the stream sees Build running before it sees it succeed. */
const BUILD_MS = 1_500;

let harness: ApiHarness;
let streamHandler: StreamingHandler;

beforeAll(async () => {
  harness = await startApiHarness({
    buildJob: async (aws, request) => {
      const id = request.environment.SLIPWAY_BUILD_ID as string;
      await putObject(aws.s3, 'slipway-builds', `builds/${id}/log/00000000.txt`, 'building\n');
      await sleep(BUILD_MS);
      await putObject(aws.s3, 'slipway-builds', `builds/${id}/bundle.tar.gz`, tarFixture(validBundleEntries()));
      return { jobId: id, status: 'SUCCEEDED' };
    },
  });
  streamHandler = await loadLogStreamLambda();
  await createReadyProject(harness, 'watched');
}, 120_000);

afterAll(async () => {
  unloadAwsLambdaGlobal();
  await harness?.close();
});

async function startDeployment(): Promise<{ id: string; executionName: string }> {
  const archive = Buffer.from('watched source');
  const source = await harness.call('POST', '/projects/watched/sources', { bytes: archive.length });
  await fetch(source.json.uploadUrl, { method: 'PUT', headers: source.json.headers, body: archive });
  const started = await harness.call('POST', '/projects/watched/deployments', { source: { key: source.json.source.key } });
  expect(started.status).toBe(202);
  return { id: started.json.deployment.id as string, executionName: started.json.deployment.executionName as string };
}

async function readAll(body: ReadableStream<Uint8Array>): Promise<Array<SseEvent & { at: number }>> {
  const events: Array<SseEvent & { at: number }> = [];
  for await (const event of readSse(body)) events.push({ ...event, at: Date.now() });
  return events;
}

type StateStatus = { name: string; status: string };
const statesOf = (event: SseEvent): StateStatus[] =>
  (JSON.parse(event.data) as { execution: { states: StateStatus[] } }).execution.states.map(({ name, status }) => ({ name, status }));

describe('GET /projects/{name}/deployments/{id}/execution/stream', () => {
  let id: string;
  let executionName: string;
  let events: Array<SseEvent & { at: number }>;

  it('sends the view at once, again on every change, then end once the execution stops', async () => {
    ({ id, executionName } = await startDeployment());
    const response = await harness.app.request(`/api/v1/projects/watched/deployments/${id}/execution/stream`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    events = await readAll(response.body!);
    const views = events.filter((e) => e.event === 'execution');
    expect(events.at(-1)).toMatchObject({ event: 'end' });
    expect(JSON.parse(events.at(-1)!.data)).toEqual({ status: 'SUCCEEDED' });
    expect(events.filter((e) => e.event === 'end')).toHaveLength(1);
    // Live: Build was seen running, then succeeded; each view differs from the one before it.
    const build = views.map((e) => statesOf(e).find((s) => s.name === 'Build')?.status);
    expect(build).toContain('entered');
    expect(build.at(-1)).toBe('succeeded');
    expect(build.indexOf('entered')).toBeLessThan(build.lastIndexOf('succeeded'));
    for (let i = 1; i < views.length; i++) expect(views[i]!.data).not.toBe(views[i - 1]!.data);
    const running = views.filter((e) => JSON.parse(e.data).execution.status === 'RUNNING');
    expect(running.length).toBeGreaterThanOrEqual(2);
    expect(JSON.parse(views.at(-1)!.data).execution.status).toBe('SUCCEEDED');
  });

  it('sends exactly what GET …/execution answers: the view and graph, never the ticket', async () => {
    const final = events.filter((e) => e.event === 'execution').at(-1)!;
    const answer = await harness.call('GET', `/projects/watched/deployments/${id}/execution`);
    expect(answer.status).toBe(200);
    expect(JSON.parse(final.data)).toEqual(answer.json);
    expect(answer.json.stateMachine.startAt).toBeTypeOf('string');
    expect(answer.json.stateMachine.states.map((s: { name: string }) => s.name)).toContain('Build');
    expect(events.map((e) => e.data).join('\n')).not.toMatch(/"ticket"/);
  });

  it('answers a finished execution with its final view and end, and refuses an unknown deployment', async () => {
    const response = await harness.app.request(`/api/v1/projects/watched/deployments/${id}/execution/stream`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    const replay = await readAll(response.body!);
    expect(replay.map((e) => e.event)).toEqual(['execution', 'end']);
    const missing = await harness.call('GET', '/projects/watched/deployments/d-nothere-0000/execution/stream');
    expect(missing.status).toBe(404);
    expect(missing.json.error.field).toBe('path.id');
  });

  it('is served by the log-stream Lambda, which ends with reconnect at its time limit', async () => {
    const running = await startDeployment();
    const path = `/projects/watched/deployments/${running.id}/execution/stream`;
    const first = await invokeStream(streamHandler, path, { authorization: `Bearer ${TOKEN}` }, lambdaContext(STREAM_END_MARGIN_MS + 600));
    expect(first.metadata.statusCode).toBe(200);
    const cut = await readAll(first.body);
    await first.finished;
    expect(cut[0]?.event).toBe('execution');
    expect(cut.at(-1)?.event).toBe('reconnect');
    // Reconnecting gets the current view and, in the end, end.
    const again = await invokeStream(streamHandler, path, { authorization: `Bearer ${TOKEN}` });
    const rest = await readAll(again.body);
    await again.finished;
    expect(rest[0]?.event).toBe('execution');
    expect(rest.at(-1)?.event).toBe('end');
    expect(JSON.parse(rest.at(-1)!.data)).toEqual({ status: 'SUCCEEDED' });
    // And GET /executions/{executionName} shows the same execution as the deployment's route.
    const byName = await harness.call('GET', `/executions/${running.executionName}`);
    expect(byName.status).toBe(200);
    expect(byName.json).toEqual((await harness.call('GET', `/projects/watched/deployments/${running.id}/execution`)).json);
    expect(executionName).toMatch(/^watched--build-deploy--/);
  });
});

describe('GET /executions/{executionName}', () => {
  it("shows any workflow's execution: the project's init-project run", async () => {
    const listed = await harness.call('GET', '/executions');
    const init = (listed.json.executions as Array<{ name: string; stateMachineArn: string }>).find((e) =>
      e.stateMachineArn.endsWith('init-project'),
    );
    expect(init).toBeDefined();
    const answer = await harness.call('GET', `/executions/${init!.name}`);
    expect(answer.status).toBe(200);
    expect(answer.json.execution.name).toBe(init!.name);
    expect(answer.json.execution.status).toBe('SUCCEEDED');
    expect(answer.json.stateMachine.name).toMatch(/init-project$/);
    expect(answer.json.execution.states.length).toBeGreaterThan(0);
    expect(JSON.stringify(answer.json)).not.toMatch(/"ticket"/);
  });

  it('answers 404 naming the field for an unknown execution, 400 for a name that is not one, 403 without the permission', async () => {
    const unknown = await harness.call('GET', '/executions/nothing--build-deploy--d-nothere-0000');
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.field).toBe('path.executionName');
    const bad = await harness.call('GET', `/executions/${encodeURIComponent('no such name!')}`);
    expect(bad.status).toBe(400);
    expect(bad.json.error.field).toBe('path.executionName');
    const plain = await userWithToken(harness, 'plainuser', ['user']);
    expect((await harness.call('GET', '/executions/anything', undefined, plain)).status).toBe(403);
  });
});
