import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import { putObject } from '../support/local-aws.js';
import { tarFixture, validBundleEntries, type FixtureEntry } from '../support/tar-fixture.js';
import { BUILT_IN_SUBSCRIPTIONS, type Limits } from '../../handlers/lib/limits.js';
import { assertWithinLimit } from '../../handlers/api/subscriptions/enforce.js';
import { ApiError } from '../../handlers/api/errors.js';
import { createReadyProject, deployOnce, quickBuild, startApiHarness, waitFor, type ApiHarness } from './support/api-harness.js';

/**
 * Subscriptions and their limits, through the API: the admin routes, a 429 naming the limit for
 * each counted limit, the counters under parallel requests, and the pipeline limits that fail a
 * deployment in Validate output while the earlier live deployment stays live.
 */
let harness: ApiHarness;
/** What the fake build job writes next: a valid bundle, or one with extra entries / manifest fields. */
let bundle: { manifest?: Record<string, unknown>; extra?: FixtureEntry[] } = {};
/** While set, builds wait for it (they stay BUILDING). */
let hold: Promise<void> | undefined;
const buildEnvironments: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  harness = await startApiHarness({
    buildJob: async (aws, request, options) => {
      buildEnvironments.push({ ...request.environment });
      if (hold) {
        await Promise.race([
          hold,
          new Promise<void>((_, reject) =>
            options?.signal?.addEventListener('abort', () => reject(Object.assign(new Error('killed'), { name: 'Batch.JobCancelled' }))),
          ),
        ]);
      }
      if (!bundle.manifest && !bundle.extra) return quickBuild(aws, request, options);
      const id = request.environment.SLIPWAY_BUILD_ID as string;
      await putObject(aws.s3, 'slipway-builds', `builds/${id}/bundle.tar.gz`, tarFixture(validBundleEntries(bundle)));
      return { jobId: id, status: 'SUCCEEDED' };
    },
  });
  await createReadyProject(harness, 'limits-app');
});

afterAll(async () => {
  await harness?.close();
});

const roomy: Limits = {
  ...(BUILT_IN_SUBSCRIPTIONS.pro as Limits),
  projectsPerUser: 100,
  buildsPerDay: 1000,
  deploymentsPerDay: 1000,
  concurrentBuilds: 20,
};

/** Stores subscription `tiny` with `limits` over roomy ones and gives it to the caller. */
async function subscribe(limits: Partial<Limits>): Promise<void> {
  const put = await harness.call('PUT', '/admin/subscriptions/tiny', { limits: { ...roomy, ...limits } });
  expect(put.status, JSON.stringify(put.json)).toBe(200);
  const assigned = await harness.call('PUT', '/admin/users/admin/subscription', { subscription: 'tiny' });
  expect(assigned.status, JSON.stringify(assigned.json)).toBe(200);
}

async function usage(): Promise<{ projects: number; buildsToday: number; deploymentsToday: number; concurrentBuilds: number }> {
  const me = await harness.call('GET', '/me/limits');
  expect(me.status).toBe(200);
  return me.json.usage;
}

async function uploadSource(project: string): Promise<string> {
  const archive = Buffer.from(`source of ${project}`);
  const source = await harness.call('POST', `/projects/${project}/sources`, { bytes: archive.length });
  const put = await fetch(source.json.uploadUrl, { method: 'PUT', headers: source.json.headers, body: archive });
  expect(put.status).toBe(200);
  return source.json.source.key as string;
}

function expectLimit(result: { status: number; json: Record<string, any> }, limit: string, value: number): void {
  expect(result.status, JSON.stringify(result.json)).toBe(429);
  expect(result.json.error.code).toBe('LimitExceeded');
  expect(result.json.error.field).toBe(`limit.${limit}`);
  expect(result.json.error.message).toContain(`limit ${limit} of subscription tiny is ${value};`);
}

describe('admin subscription routes', () => {
  it('lists the built-in subscriptions, stores a new one and refuses out-of-range limits naming the field', async () => {
    const list = await harness.call('GET', '/admin/subscriptions');
    expect(list.status).toBe(200);
    expect(list.json.subscriptions.map((s: { name: string }) => s.name)).toEqual(expect.arrayContaining(['free', 'pro']));
    expect(list.json.subscriptions.find((s: { name: string }) => s.name === 'free')).toMatchObject({
      origin: 'built-in',
      limits: BUILT_IN_SUBSCRIPTIONS.free,
    });

    for (const [bad, field] of [
      [{ ...roomy, buildsPerDay: 0 }, 'body.limits.buildsPerDay'],
      [{ ...roomy, functionMemoryMb: 20_000 }, 'body.limits.functionMemoryMb'],
      [{ ...roomy, concurrentBuilds: 1.5 }, 'body.limits.concurrentBuilds'],
      [{ ...roomy, clientStorageBytes: '10' }, 'body.limits.clientStorageBytes'],
      [{ ...roomy, extra: 1 }, 'body.limits.extra'],
    ] as const) {
      const refused = await harness.call('PUT', '/admin/subscriptions/bad', { limits: bad });
      expect(refused.status).toBe(400);
      expect(refused.json.error.field).toBe(field);
    }
    const { projectsPerUser: _missing, ...incomplete } = roomy;
    const missing = await harness.call('PUT', '/admin/subscriptions/bad', { limits: incomplete });
    expect(missing.status).toBe(400);
    expect(missing.json.error.message).toContain('projectsPerUser');
    expect((await harness.call('PUT', '/admin/subscriptions/Bad_Name', { limits: roomy })).json.error.field).toBe('path.subscription');

    const stored = await harness.call('PUT', '/admin/subscriptions/team', { limits: roomy });
    expect(stored.status).toBe(200);
    expect(stored.json.subscription).toMatchObject({ name: 'team', origin: 'stored', limits: roomy, updatedBy: 'admin' });
    const again = await harness.call('GET', '/admin/subscriptions');
    expect(again.json.subscriptions.find((s: { name: string }) => s.name === 'team')).toMatchObject({ limits: roomy });
    expect((await harness.call('GET', '/admin/subscriptions')).json.subscriptions.some((s: { name: string }) => s.name === 'bad')).toBe(
      false,
    );
  });

  it('assigns a subscription to a user, 404 naming body.subscription when it does not exist', async () => {
    const missing = await harness.call('PUT', '/admin/users/alice/subscription', { subscription: 'nonesuch' });
    expect(missing.status).toBe(404);
    expect(missing.json.error).toMatchObject({ code: 'NotFound', field: 'body.subscription' });
    expect(missing.json.error.message).toContain('nonesuch');
    expect((await harness.call('PUT', '/admin/users/not a login/subscription', { subscription: 'pro' })).json.error.field).toBe(
      'path.login',
    );

    // The admin token's projects run under the operator subscription until one is assigned.
    expect((await harness.call('GET', '/me/limits')).json).toMatchObject({
      user: 'admin',
      subscription: 'operator',
      limits: BUILT_IN_SUBSCRIPTIONS.operator,
    });
    const assigned = await harness.call('PUT', '/admin/users/admin/subscription', { subscription: 'pro' });
    expect(assigned.status).toBe(200);
    expect((await harness.call('GET', '/me/limits')).json).toMatchObject({
      subscription: 'pro',
      limits: BUILT_IN_SUBSCRIPTIONS.pro,
      usage: { projects: 1 },
    });
  });
});

describe('limits at the API', () => {
  it('projectsPerUser: the next project is refused with 429 and leaves no record', async () => {
    const { projects } = await usage();
    await subscribe({ projectsPerUser: projects + 1 });
    await createReadyProject(harness, 'limits-second');
    const refused = await harness.call('POST', '/projects', { name: 'limits-third' });
    expectLimit(refused, 'projectsPerUser', projects + 1);
    expect(refused.json.error.message).toContain(`${projects + 1} projects owned`);
    expect((await harness.call('GET', '/projects/limits-third')).status).toBe(404);
  });

  it('projectsPerUser: parallel creates never exceed the limit', async () => {
    const { projects } = await usage();
    await subscribe({ projectsPerUser: projects + 2 });
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => harness.call('POST', '/projects', { name: `limits-race-${i}` })));
    expect(results.filter((r) => r.status === 202)).toHaveLength(2);
    expect(results.filter((r) => r.status === 429)).toHaveLength(4);
    expect((await usage()).projects).toBe(projects + 2);
  });

  it('buildsPerDay: a build past the daily limit is refused', async () => {
    const { buildsToday } = await usage();
    await subscribe({ buildsPerDay: buildsToday + 1 });
    expect((await deployOnce(harness, 'limits-app')).status).toBe('LIVE');
    const refused = await harness.call('POST', '/projects/limits-app/deployments', { source: { key: await uploadSource('limits-app') } });
    expectLimit(refused, 'buildsPerDay', buildsToday + 1);
    expect(refused.json.error.message).toContain(`${buildsToday + 1} builds started today`);
  });

  it('buildsPerDay: parallel starts never exceed the limit', async () => {
    const { buildsToday } = await usage();
    await subscribe({ buildsPerDay: buildsToday + 2 });
    const key = await uploadSource('limits-app');
    const results = await Promise.all(
      Array.from({ length: 6 }, () => harness.call('POST', '/projects/limits-app/deployments', { source: { key } })),
    );
    expect(results.filter((r) => r.status === 202)).toHaveLength(2);
    for (const refused of results.filter((r) => r.status !== 202)) expectLimit(refused, 'buildsPerDay', buildsToday + 2);
    expect((await usage()).buildsToday).toBe(buildsToday + 2);
    // Two builds of one project at once: whichever reaches Release second, if it is the older, is superseded.
    for (const started of results.filter((r) => r.status === 202)) {
      await waitFor(
        () => harness.call('GET', `/projects/limits-app/deployments/${started.json.deployment.id}`),
        (r) => ['LIVE', 'FAILED', 'SUPERSEDED'].includes(r.json.deployment.status),
      );
    }
  });

  it('deploymentsPerDay: a rollback counts as a deployment and is refused past the limit', async () => {
    const listed = await harness.call('GET', '/projects/limits-app/deployments');
    const earlier = listed.json.deployments.find((d: { status: string; current: boolean }) => d.status === 'LIVE' && !d.current);
    expect(earlier).toBeDefined();
    const { deploymentsToday } = await usage();
    await subscribe({ deploymentsPerDay: deploymentsToday });
    const refused = await harness.call('POST', '/projects/limits-app/rollback', { deploymentId: earlier.id });
    expectLimit(refused, 'deploymentsPerDay', deploymentsToday);
    const build = await harness.call('POST', '/projects/limits-app/deployments', { source: { key: await uploadSource('limits-app') } });
    expectLimit(build, 'deploymentsPerDay', deploymentsToday);
    // A refused request counts nothing.
    expect((await usage()).deploymentsToday).toBe(deploymentsToday);
    expect((await usage()).buildsToday).toBeGreaterThan(0);
  });

  it('concurrentBuilds: a second running build is refused; a cancelled build gives its slot back', async () => {
    await subscribe({ concurrentBuilds: 1 });
    let release!: () => void;
    hold = new Promise<void>((resolve) => (release = resolve));
    try {
      const key = await uploadSource('limits-app');
      const first = await harness.call('POST', '/projects/limits-app/deployments', { source: { key } });
      expect(first.status).toBe(202);
      const second = await harness.call('POST', '/projects/limits-app/deployments', { source: { key } });
      expectLimit(second, 'concurrentBuilds', 1);
      expect(second.json.error.message).toContain('1 builds running');
      const cancelled = await harness.call('POST', `/projects/limits-app/deployments/${first.json.deployment.id}/cancel`);
      expect(cancelled.status).toBe(202);
      const third = await harness.call('POST', '/projects/limits-app/deployments', { source: { key } });
      expect(third.status, JSON.stringify(third.json)).toBe(202);
      release();
      hold = undefined;
      await waitFor(
        () => harness.call('GET', `/projects/limits-app/deployments/${third.json.deployment.id}`),
        (r) => r.json.deployment.status === 'LIVE',
      );
      expect((await usage()).concurrentBuilds).toBe(0);
    } finally {
      release();
      hold = undefined;
    }
  });
});

describe('limits other code counts', () => {
  it('assertWithinLimit refuses customDomainsPerProject once the count has reached it, naming the limit', async () => {
    // A user without a subscription has the default one (free: 1 custom domain per project).
    await expect(assertWithinLimit('carol', 'customDomainsPerProject', 0)).resolves.toBeUndefined();
    const error = (await assertWithinLimit('carol', 'customDomainsPerProject', 1).catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(429);
    expect(error.field).toBe('limit.customDomainsPerProject');
    expect(error.message).toBe('limit customDomainsPerProject of subscription free is 1; 1 custom domains on the project');
  });

  it("customDomainsPerProject: POST …/domains past the owner's limit is a 429 and claims nothing", async () => {
    await subscribe({ customDomainsPerProject: 1 });
    await createReadyProject(harness, 'domains-limit');
    expect((await harness.call('POST', '/projects/domains-limit/domains', { domain: 'one.example.com' })).status).toBe(201);
    const refused = await harness.call('POST', '/projects/domains-limit/domains', { domain: 'two.example.com' });
    expectLimit(refused, 'customDomainsPerProject', 1);
    expect((await harness.call('GET', '/projects/domains-limit/domains')).json.domains.map((d: any) => d.domain)).toEqual([
      'one.example.com',
    ]);
  });
});

describe('concurrent builds under parallel requests', () => {
  it('never lets more builds run than concurrentBuilds', async () => {
    await subscribe({ concurrentBuilds: 2 });
    let release!: () => void;
    hold = new Promise<void>((resolve) => (release = resolve));
    try {
      const key = await uploadSource('limits-app');
      const results = await Promise.all(
        Array.from({ length: 6 }, () => harness.call('POST', '/projects/limits-app/deployments', { source: { key } })),
      );
      const started = results.filter((r) => r.status === 202);
      expect(started).toHaveLength(2);
      for (const refused of results.filter((r) => r.status !== 202)) expectLimit(refused, 'concurrentBuilds', 2);
      expect((await usage()).concurrentBuilds).toBe(2);
      release();
      // Both builds of the one project end; if the older reaches Release second it is superseded.
      const ended: string[] = [];
      for (const s of started) {
        const done = await waitFor(
          () => harness.call('GET', `/projects/limits-app/deployments/${s.json.deployment.id}`),
          (r) => ['LIVE', 'SUPERSEDED'].includes(r.json.deployment.status),
        );
        ended.push(done.json.deployment.status);
      }
      expect(ended).toContain('LIVE');
      expect((await usage()).concurrentBuilds).toBe(0);
    } finally {
      release();
      hold = undefined;
    }
  });
});

describe('limits in the pipeline', () => {
  it('signs the limits into the ticket and hands buildTimeoutSeconds to the build job', async () => {
    await subscribe({ buildTimeoutSeconds: 120, functionMemoryMb: 512 });
    buildEnvironments.length = 0;
    const deployed = await deployOnce(harness, 'limits-app');
    expect(deployed.status).toBe('LIVE');
    const env = buildEnvironments[0] as Record<string, string>;
    expect(env.SLIPWAY_BUILD_TIMEOUT_SECONDS).toBe('120');
    // The ticket is the pipeline's (the execution's input), not the build's.
    expect(env.SLIPWAY_TICKET).toBeUndefined();
    const listed = harness.engine.listExecutions({}).find((e) => e.name.endsWith(deployed.id));
    const execution = listed && harness.engine.describeExecution(listed.executionArn);
    const { ticket } = JSON.parse(execution?.input ?? '{}') as { ticket: string };
    expect(decodeJwt(ticket).limits).toMatchObject({ buildTimeoutSeconds: 120, functionMemoryMb: 512 });
  });

  const cases: Array<{ limit: keyof Limits; value: number; bundle: typeof bundle; says: string }> = [
    {
      limit: 'prerenderedRoutesPerDeployment',
      value: 1,
      bundle: { manifest: { prerendered: { '/about': 'prerendered/about.html', '/': 'prerendered/about.html' } } },
      says: 'limit prerenderedRoutesPerDeployment is 1; the build output has 2 prerendered routes',
    },
    {
      limit: 'clientStorageBytes',
      value: 1000,
      bundle: { extra: [{ path: 'client/big.bin', body: Buffer.alloc(4000) }] },
      says: 'limit clientStorageBytes is 1000',
    },
    {
      limit: 'prerenderedStorageBytes',
      value: 1000,
      bundle: { extra: [{ path: 'prerendered/big.html', body: Buffer.alloc(4000) }] },
      says: 'limit prerenderedStorageBytes is 1000',
    },
    {
      limit: 'serverStorageBytes',
      value: 1000,
      bundle: { extra: [{ path: 'server/big.js', body: Buffer.alloc(4000) }] },
      says: 'limit serverStorageBytes is 1000',
    },
  ];
  for (const c of cases) {
    it(`${c.limit}: a bundle over it fails the deployment in Validate output and the live one stays`, async () => {
      await subscribe({ [c.limit]: c.value });
      const before = (await harness.call('GET', '/projects/limits-app')).json.project.liveDeploymentId as string;
      expect(before).toBeDefined();
      bundle = c.bundle;
      try {
        const { id, status } = await deployOnce(harness, 'limits-app');
        expect(status).toBe('FAILED');
        const failed = (await harness.call('GET', `/projects/limits-app/deployments/${id}`)).json.deployment;
        expect(failed).toMatchObject({ failedState: 'Validate output', error: 'LimitExceeded' });
        expect(failed.cause).toContain(c.says);
      } finally {
        bundle = {};
      }
      expect((await harness.call('GET', '/projects/limits-app')).json.project.liveDeploymentId).toBe(before);
    });
  }
});
