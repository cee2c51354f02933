import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_NAMES } from '../../handlers/lib/config.js';
import { buildBundleKey } from '../../handlers/lib/names.js';
import { routeEntriesFor } from '../../handlers/lib/route-cache-keys.js';
import { routeCacheBudget, routeCacheBytes } from '../../handlers/pipeline/bundle/aws-preflight.js';
import { handler as validateOutput } from '../../handlers/pipeline/validate-output.js';
import { putObject, startTestAws, ticketFor, type TestAws } from '../support/local-aws.js';
import { tarFixture, validBundleEntries } from '../support/tar-fixture.js';

/**
 * The route cache's capacity is the operator's `routeCacheProjects` setting: a blog of 300
 * prerendered posts is over a deployment's part of the KeyValueStore when it is shared among 200
 * projects (the default) and well within it among 20. Runs the real Validate output handler on
 * the local back end, the platform's setting changed in place as `slipway up` would set it.
 */
let aws: TestAws;
beforeAll(async () => {
  aws = await startTestAws();
});
afterAll(async () => {
  delete aws?.platform.routeCacheProjects;
  await aws?.close();
});

const project = 'blog';
const POSTS = 300;

const posts = Array.from({ length: POSTS }, (_, i) => `/posts/${String(i).padStart(3, '0')}-a-post-title`);
const manifest = { prerendered: Object.fromEntries(posts.map((path) => [path, `prerendered${path}.html`])) };

/** Uploads the blog's bundle as build `id`'s output and runs Validate output on it. */
async function validate(id: string): Promise<unknown> {
  const archive = tarFixture(
    validBundleEntries({ manifest, extra: posts.map((path) => ({ path: `prerendered${path}.html`, body: `<h1>${path}</h1>` })) }),
  );
  await putObject(aws.s3, DEFAULT_NAMES.buildBucket, buildBundleKey(id), archive);
  const executionName = `${project}--build-deploy--${id}`;
  const ticket = await ticketFor('build-deploy', project, executionName, { deploymentId: id });
  return validateOutput({ executionName, state: { ticket, project, deploymentId: id } });
}

describe('routeCacheProjects sizes what a deployment may put in the route cache', () => {
  it('refuses 300 prerendered posts at the default 200 projects, naming the setting, and accepts them at 20', async () => {
    const id = 'd-mkxq1234-0a1b2c3d';
    const entries = routeEntriesFor(id, { ...manifest, static: { '/robots.txt': 'client/robots.txt' } });
    const bytes = routeCacheBytes(entries);
    expect(bytes).toBeGreaterThan(routeCacheBudget(200).deploymentBytes);
    expect(bytes).toBeLessThan(routeCacheBudget(20).deploymentBytes);

    expect(aws.platform.routeCacheProjects).toBeUndefined();
    const refused = await validate(id).then(
      () => undefined,
      (error: Error) => error,
    );
    expect(refused?.name).toBe('LimitExceeded');
    expect(refused?.message).toContain(`the deployment's ${Object.keys(entries).length} route cache entries take ${bytes} bytes`);
    expect(refused?.message).toContain('5242880 / 200 projects');
    expect(refused?.message).toContain('cdk deploy -c routeCacheProjects=N');
    expect(refused?.message).toContain('slipway up --route-cache-projects N');

    aws.platform.routeCacheProjects = 20;
    expect(await validate('d-mkxq1235-0a1b2c3e')).toMatchObject({ prerenderedRoutes: POSTS, staticFiles: 1, warnings: 0 });
  });
});
