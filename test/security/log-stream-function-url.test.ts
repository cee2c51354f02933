import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReadyProject, deployOnce, startApiHarness, TOKEN, userWithToken, type ApiHarness } from '../api/support/api-harness.js';
import { invokeStream, loadLogStreamLambda, type StreamingHandler, unloadAwsLambdaGlobal } from '../api/support/lambda-stream.js';

/**
 * Attack: reading build logs through the log-stream function URL. On AWS that URL is public (auth
 * type NONE, so that the caller's Authorization header reaches the function); the function must
 * refuse, before any log byte, every caller the API would refuse. Each attack against the handler
 * in Lambda's response-stream shape, with the owner's own request as the control.
 */
let harness: ApiHarness;
let handler: StreamingHandler;
let alice: Record<string, string>;
let bob: Record<string, string>;
let aliceDeployment: string;
let bobDeployment: string;

beforeAll(async () => {
  harness = await startApiHarness();
  handler = await loadLogStreamLambda();
  alice = await userWithToken(harness, 'alice', ['user']);
  bob = await userWithToken(harness, 'bob', ['user']);
  await createReadyProject(harness, 'alicesite', alice);
  await createReadyProject(harness, 'bobsite', bob);
  aliceDeployment = (await deployOnce(harness, 'alicesite', { headers: alice })).id;
  bobDeployment = (await deployOnce(harness, 'bobsite', { headers: bob })).id;
}, 120_000);

afterAll(async () => {
  unloadAwsLambdaGlobal();
  await harness?.close();
});

const logPath = (project: string, id: string) => `/projects/${project}/deployments/${id}/logs/stream`;

/** The whole answer: its status, and its body as text. */
async function answer(path: string, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  const { metadata, body, finished } = await invokeStream(handler, path, headers);
  const text = await new Response(body).text();
  await finished;
  return { status: metadata.statusCode, text };
}

describe('the log-stream function URL, called directly', () => {
  it('streams a deployment to its owner (the control)', async () => {
    const own = await answer(logPath('alicesite', aliceDeployment), alice);
    expect(own.status).toBe(200);
    expect(own.text).toContain('data: slipway: installing');
    expect(own.text).toMatch(/event: end\ndata: \{"status":"LIVE"\}/);
  });

  it('refuses a caller without credentials, or with a made-up token, before any log byte', async () => {
    const attempts: Record<string, string>[] = [
      {},
      { authorization: `Bearer ${'0'.repeat(32)}` },
      { authorization: `Bearer ${TOKEN}x` },
      { cookie: 'slipway_session=forged' },
    ];
    for (const headers of attempts) {
      const refused = await answer(logPath('alicesite', aliceDeployment), headers);
      expect(refused.status).toBe(401);
      const { error } = JSON.parse(refused.text) as { error: { code: string; message: string } };
      expect(error.code).toBe('Unauthorized');
      // Each was read and refused for what it is, not only for lacking a header.
      if (headers.cookie) expect(error.message).toMatch(/session/);
      if (headers.authorization) expect(error.message).toMatch(/token is not valid/);
    }
  });

  it("refuses another user's deployment as not found, before any log byte", async () => {
    const refused = await answer(logPath('alicesite', aliceDeployment), bob);
    expect(refused.status).toBe(404);
    expect(JSON.parse(refused.text)).toMatchObject({ error: { code: 'NotFound' } });
    expect(refused.text).not.toContain('slipway:');
  });

  it("refuses a Last-Event-ID that names another deployment's log, on the caller's own deployment", async () => {
    const refused = await answer(logPath('bobsite', bobDeployment), {
      ...bob,
      'last-event-id': `builds/${aliceDeployment}/log/00000000.txt`,
    });
    expect(refused.status).toBe(400);
    expect(JSON.parse(refused.text)).toMatchObject({ error: { code: 'BadRequest', field: 'header.last-event-id' } });
    expect(refused.text).not.toContain('slipway:');
  });
});

const executionPath = (project: string, id: string) => `/projects/${project}/deployments/${id}/execution/stream`;

describe("the same function URL's execution stream", () => {
  it('streams the view to its owner (the control), never the raw input', async () => {
    const own = await answer(executionPath('alicesite', aliceDeployment), alice);
    expect(own.status).toBe(200);
    expect(own.text).toContain('event: execution\ndata: {"execution":');
    expect(own.text).toMatch(/event: end\ndata: \{"status":"SUCCEEDED"\}/);
    expect(own.text).not.toContain('"ticket"');
  });

  it("refuses a caller without credentials, and another user's deployment as not found, before any view byte", async () => {
    const anonymous = await answer(executionPath('alicesite', aliceDeployment), {});
    expect(anonymous.status).toBe(401);
    expect(anonymous.text).not.toContain('"execution"');
    const other = await answer(executionPath('alicesite', aliceDeployment), bob);
    expect(other.status).toBe(404);
    expect(JSON.parse(other.text)).toMatchObject({ error: { code: 'NotFound' } });
    expect(other.text).not.toContain('"execution"');
  });

  it('serves no other route of the API (only the two streams)', async () => {
    const read = await answer(`/projects/alicesite/deployments/${aliceDeployment}/execution`, alice);
    expect(read.status).toBe(404);
    expect(read.text).not.toContain('"execution"');
  });
});
