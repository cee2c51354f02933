import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileRouteCache } from '../../handlers/lib/bindings/route-cache/file.js';
import { createReadyProject, deployOnce, startApiHarness, waitFor, type ApiHarness } from '../api/support/api-harness.js';

/** Preview deployments through the API, the engine and the real release step (build and stacks stood in for). */
let harness: ApiHarness;
let routes: FileRouteCache;

beforeAll(async () => {
  harness = await startApiHarness();
  harness.aws.platform.tenantUrlTemplate = 'http://{project}.localhost:8080/';
  routes = new FileRouteCache(harness.aws.routeCacheDir);
  await createReadyProject(harness, 'pvtest');
});

afterAll(async () => {
  await harness?.close();
});

describe('preview deployments', () => {
  it('go live at <project>--<alias> and leave the live deployment unchanged; the same alias is replaced', async () => {
    const production = await deployOnce(harness, 'pvtest');
    expect(production.status).toBe('LIVE');

    const preview = await deployOnce(harness, 'pvtest', { preview: 'feature-x' });
    expect(preview.status).toBe('LIVE');
    const project = await harness.call('GET', '/projects/pvtest');
    expect(project.json.project.liveDeploymentId).toBe(production.id);
    // Locally the function version is the deployment id, production and preview alike.
    expect(await routes.get('p:pvtest')).toBe(`${production.id}@${production.id}`);
    expect(await routes.get('p:pvtest--feature-x')).toBe(`${preview.id}@${preview.id}`);

    const detail = await harness.call('GET', `/projects/pvtest/deployments/${preview.id}`);
    expect(detail.json.deployment).toMatchObject({
      status: 'LIVE',
      preview: 'feature-x',
      current: false,
      url: 'http://pvtest--feature-x.localhost:8080/',
    });
    const live = await harness.call('GET', `/projects/pvtest/deployments/${production.id}`);
    expect(live.json.deployment).toMatchObject({ current: true, url: 'http://pvtest.localhost:8080/' });
    expect(live.json.deployment.preview).toBeUndefined();

    const again = await deployOnce(harness, 'pvtest', { preview: 'feature-x' });
    expect(again.status).toBe('LIVE');
    expect(await routes.get('p:pvtest--feature-x')).toBe(`${again.id}@${again.id}`);
    expect((await harness.call('GET', '/projects/pvtest')).json.project.liveDeploymentId).toBe(production.id);
    const list = await harness.call('GET', '/projects/pvtest/deployments');
    expect(list.json.deployments.filter((d: { preview?: string }) => d.preview === 'feature-x')).toHaveLength(2);
  });

  it('refuses a malformed alias or one too long for the project, naming body.preview', async () => {
    for (const preview of ['Feature', 'a--b', '-x', 'x'.repeat(59), 7]) {
      const refused = await harness.call('POST', '/projects/pvtest/deployments', { source: { key: 'sources/pvtest/x.tar.gz' }, preview });
      expect(refused.status, String(preview)).toBe(400);
      expect(refused.json.error.field).toBe('body.preview');
    }
    // 'pvtest' (6) + '--' + 56 = 64 characters: one over a DNS label.
    const tooLong = await harness.call('POST', '/projects/pvtest/deployments', {
      source: { key: 'sources/pvtest/x.tar.gz' },
      preview: 'a'.repeat(56),
    });
    expect(tooLong.status).toBe(400);
    expect(tooLong.json.error).toMatchObject({ field: 'body.preview' });
    expect(tooLong.json.error.message).toContain('at most 63 characters');
  });

  it('refuses project names with "--", which would make preview hosts ambiguous', async () => {
    const refused = await harness.call('POST', '/projects', { name: 'my--app' });
    expect(refused.status).toBe(400);
    expect(refused.json.error.field).toBe('body.name');
  });

  it('deleting the project removes its preview pointers too', async () => {
    const deleted = await harness.call('DELETE', '/projects/pvtest');
    expect(deleted.status).toBe(202);
    await waitFor(
      () => harness.call('GET', '/projects/pvtest'),
      (r) => r.status === 404,
    );
    expect(await routes.get('p:pvtest')).toBeUndefined();
    expect(await routes.get('p:pvtest--feature-x')).toBeUndefined();
  });
});
