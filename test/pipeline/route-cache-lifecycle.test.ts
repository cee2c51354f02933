import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoClient } from '../../handlers/lib/clients.js';
import { DEFAULT_NAMES } from '../../handlers/lib/config.js';
import { routeCache } from '../../handlers/lib/bindings/bound.js';
import { getDeploymentItem, putDeploymentItem } from '../../handlers/lib/table/deployments.js';
import { deploymentKey } from '../../handlers/lib/table/keys.js';
import { putNewProject } from '../../handlers/lib/table/projects.js';
import { handler as release } from '../../handlers/pipeline/release.js';
import { handler as deleteProjectData } from '../../handlers/pipeline/delete-project-data.js';
import { deploymentPrefix } from '../../handlers/pipeline/state.js';
import { routeEntriesFor } from '../../handlers/lib/route-cache-keys.js';
import { routeCacheBudget, routeCacheBytes } from '../../handlers/pipeline/bundle/aws-preflight.js';
import { putObject, startTestAws, ticketFor, type TestAws } from '../support/local-aws.js';

/**
 * Release keeps the route cache bounded: after a pointer moves, the entries of deployments that
 * are neither live, a preview's target, nor the last rollback target are deleted. Runs the real
 * Release handler against the local back end (dynalite, s3rver, the file route cache).
 */
let aws: TestAws;
beforeAll(async () => {
  aws = await startTestAws();
  await putNewProject({ name: project, owner: 'alice', status: 'READY', createdAt: at });
});
afterAll(async () => {
  await aws?.close();
});

const project = 'kvs-life';
const at = '2026-01-01T00:00:00.000Z';

/** The keys of one deployment: a page every deployment has and one only it has. */
function routesOf(id: string): string[] {
  return [`r:${id}:/`, `r:${id}:/only-${id}`];
}

function manifestOf(id: string, pages = 0) {
  const extra = Object.fromEntries(Array.from({ length: pages }, (_, i) => [`/page-${i}`, `prerendered/page-${i}.html`]));
  return {
    version: 1 as const,
    appDir: '_app',
    basePath: '',
    prerendered: { '/': 'prerendered/index.html', [`/only-${id}`]: `prerendered/only-${id}.html`, ...extra },
    static: {},
    handler: 'server/handler.js',
  };
}

async function promote(id: string, preview?: string, pages = 0): Promise<void> {
  await putDeploymentItem({
    id,
    project,
    status: 'BUILDING',
    createdAt: at,
    createdBy: 'alice',
    source: { bucket: DEFAULT_NAMES.sourceBucket, key: `sources/${project}/${id}.tar.gz` },
    ...(preview ? { preview } : {}),
  });
  const manifest = manifestOf(id, pages);
  await putObject(aws.s3, DEFAULT_NAMES.projectBucket, `${deploymentPrefix(project, id)}slipway-manifest.json`, JSON.stringify(manifest));
}

async function setStatus(id: string, status: string): Promise<void> {
  await dynamoClient().send(
    new UpdateCommand({
      TableName: DEFAULT_NAMES.table,
      Key: deploymentKey(project, id),
      UpdateExpression: 'SET #status = :status',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':status': status },
    }),
  );
}

/** The Release step as the workflow runs it, then "Record live" as its ASL does. */
async function releaseAs(op: 'build-deploy' | 'rollback', id: string, preview?: string): Promise<void> {
  const executionName = `${project}--${op}--${id}`;
  const ticket = await ticketFor(op, project, executionName, { deploymentId: id, ...(preview ? { preview } : {}) });
  const stack = { described: { Outputs: [{ OutputKey: 'DeploymentVersion', OutputValue: id }] } };
  await release({ executionName, state: { ticket, project, deploymentId: id, ...(preview ? { preview } : {}), stack } });
  await setStatus(id, 'LIVE');
}

async function held(ids: string[]): Promise<string[]> {
  const cache = routeCache();
  const present: string[] = [];
  for (const id of ids) {
    const values = await Promise.all(routesOf(id).map((key) => cache.get(key)));
    if (values.every((value) => value !== undefined)) present.push(id);
    else expect(values, `${id} has some of its entries only`).toEqual(values.map(() => undefined));
  }
  return present;
}

const ids = Array.from({ length: 9 }, (_, i) => `d-000${i + 1}-aaaa`);

describe('the route-cache lifecycle in Release', () => {
  it('keeps the live deployment, the last rollback target and preview targets; removes the rest', async () => {
    const [d1, d2, d3, d4, d5] = ids as [string, string, string, string, string];
    for (const id of [d1, d2, d3]) {
      await promote(id);
      await releaseAs('build-deploy', id);
    }
    expect(await held(ids)).toEqual([d2, d3]);
    expect((await getDeploymentItem(project, d1))?.routeCache).toBe('pruned');
    expect((await getDeploymentItem(project, d3))?.routeCache).toBe('written');

    // A preview keeps its target; the next deployment of the same alias replaces it.
    await promote(d4, 'feat');
    await releaseAs('build-deploy', d4, 'feat');
    expect(await held(ids)).toEqual([d2, d3, d4]);
    await promote(d5, 'feat');
    await releaseAs('build-deploy', d5, 'feat');
    expect(await held(ids)).toEqual([d2, d3, d5]);

    // A rollback to a pruned deployment writes its entries again; the deployment it replaces is
    // the rollback target now, and the one before goes.
    await releaseAs('rollback', d1);
    expect(await routeCache().get(`p:${project}`)).toBe(`${d1}@${d1}`);
    expect(await routeCache().get(`p:${project}--feat`)).toBe(`${d5}@${d5}`);
    expect(await held(ids)).toEqual([d1, d3, d5]);
    expect((await getDeploymentItem(project, d1))?.routeCache).toBe('written');
  });

  it('removes what a failed release left, never what a release under way is writing', async () => {
    const [d1, , d3, , d5, d6, d7] = ids as [string, string, string, string, string, string, string];
    // d6 stopped after writing its entries (FAILED); d7 is another execution's release, writing now.
    for (const id of [d6, d7]) {
      await promote(id);
      await dynamoClient().send(
        new UpdateCommand({
          TableName: DEFAULT_NAMES.table,
          Key: deploymentKey(project, id),
          UpdateExpression: 'SET routeCache = :written',
          ExpressionAttributeValues: { ':written': 'written' },
        }),
      );
      await routeCache().putMany(Object.fromEntries(routesOf(id).map((key) => [key, 'prerendered/x.html'])));
    }
    await setStatus(d6, 'FAILED');
    // A deployment that went live before the flag existed, whose keys are gone already: deleting
    // them again is harmless.
    const legacy = 'd-0000-legacy';
    await promote(legacy);
    await setStatus(legacy, 'LIVE');

    await releaseAs('rollback', d3);
    expect(await held(ids)).toEqual([d1, d3, d5, d7]);
    expect((await getDeploymentItem(project, d6))?.routeCache).toBe('pruned');
    expect((await getDeploymentItem(project, d7))?.routeCache).toBe('written');
    expect((await getDeploymentItem(project, legacy))?.routeCache).toBe('pruned');
  });

  it('retires the least recently deployed previews once the previews outgrow their part of the project’s share', async () => {
    const [d1, , d3, , d5, , d7, d8, d9] = ids as [string, string, string, string, string, string, string, string, string];
    // Two previews of 122 pages each: each fits the previews' part alone, not both together.
    const bytes = (id: string) => routeCacheBytes(routeEntriesFor(id, manifestOf(id, 122)));
    const ROUTE_CACHE_PREVIEW_BYTES = routeCacheBudget().previewBytes;
    expect(bytes(d8)).toBeLessThanOrEqual(ROUTE_CACHE_PREVIEW_BYTES - routeCacheBytes(routeEntriesFor(d5, manifestOf(d5))));
    expect(bytes(d8) + bytes(d9)).toBeGreaterThan(ROUTE_CACHE_PREVIEW_BYTES);
    await promote(d8, 'one', 122);
    await releaseAs('build-deploy', d8, 'one');
    expect(await held(ids)).toEqual([d1, d3, d5, d7, d8]);
    await promote(d9, 'two', 122);
    await releaseAs('build-deploy', d9, 'two');
    // The newest stays; the one that no longer fits beside it goes, and every older one with it.
    expect(await routeCache().get(`p:${project}--two`)).toBe(`${d9}@${d9}`);
    expect(await routeCache().get(`p:${project}--one`)).toBeUndefined();
    expect(await routeCache().get(`p:${project}--feat`)).toBeUndefined();
    expect(await routeCache().get(`p:${project}`)).toBe(`${d3}@${d3}`);
    expect(await held(ids)).toEqual([d1, d3, d7, d9]);

    // Sized for 20 projects (the operator's routeCacheProjects), the previews' part holds both.
    const d10 = 'd-0010-aaaa';
    expect(bytes(d9) + bytes(d10)).toBeLessThan(routeCacheBudget(20).previewBytes);
    aws.platform.routeCacheProjects = 20;
    try {
      await promote(d10, 'three', 122);
      await releaseAs('build-deploy', d10, 'three');
    } finally {
      delete aws.platform.routeCacheProjects;
    }
    expect(await routeCache().get(`p:${project}--three`)).toBe(`${d10}@${d10}`);
    expect(await routeCache().get(`p:${project}--two`)).toBe(`${d9}@${d9}`);
    expect(await held([...ids, d10])).toEqual([d1, d3, d7, d9, d10]);
  });

  it('deleting the project removes every entry left, the pruned deployments’ absent keys included', async () => {
    const executionName = `${project}--delete-project--x`;
    const ticket = await ticketFor('delete-project', project, executionName);
    await deleteProjectData({ executionName, state: { ticket, project } });
    expect(await held(ids)).toEqual([]);
    expect(await routeCache().get(`p:${project}`)).toBeUndefined();
  });
});
