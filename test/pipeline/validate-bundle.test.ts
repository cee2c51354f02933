import { describe, expect, it } from 'vitest';
import { validateBundle, DEFAULT_BUNDLE_LIMITS, type ValidatedBundle } from '../../handlers/pipeline/bundle/validate-bundle.js';
import {
  AWS_LIMITS,
  AwsLimitError,
  MAX_ROUTE_CACHE_PROJECTS,
  checkAwsLimits,
  parseRouteCacheProjects,
  routeCacheBudget,
} from '../../handlers/pipeline/bundle/aws-preflight.js';
import { assetsOriginWarnings } from '../../handlers/pipeline/bundle/assets-origin.js';
import { tarFixture, validBundleEntries } from '../support/tar-fixture.js';

describe('build output validation', () => {
  it('accepts a well-formed bundle and reports its manifest', async () => {
    const result = await validateBundle(tarFixture(validBundleEntries()));
    expect(result.manifest.prerendered).toEqual({ '/about': 'prerendered/about.html' });
    expect(result.files).toBe(5);
    expect(result.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([
    ['../escape.js', /path traversal/],
    ['client/../../etc/passwd', /path traversal/],
    ['/etc/passwd', /absolute paths are not allowed/],
    ['secrets/key', /top-level "secrets" is not one of/],
  ])('refuses the entry %s', async (path, message) => {
    const archive = tarFixture(validBundleEntries({ extra: [{ path, body: 'x' }] }));
    await expect(validateBundle(archive)).rejects.toThrow(message);
  });

  it('refuses symbolic and hard links', async () => {
    const symlink = tarFixture(validBundleEntries({ extra: [{ path: 'client/passwd', type: 'SymbolicLink', linkpath: '/etc/passwd' }] }));
    await expect(validateBundle(symlink)).rejects.toThrow(/SymbolicLink entries are not allowed/);
    const hardlink = tarFixture(validBundleEntries({ extra: [{ path: 'client/copy', type: 'Link', linkpath: 'server/handler.js' }] }));
    await expect(validateBundle(hardlink)).rejects.toThrow(/Link entries are not allowed/);
  });

  it('refuses a file over the size limit and a bundle over the total limit', async () => {
    const big = Buffer.alloc(2048, 1);
    const archive = tarFixture(validBundleEntries({ extra: [{ path: 'client/big.bin', body: big }] }));
    await expect(validateBundle(archive, { ...DEFAULT_BUNDLE_LIMITS, maxFileBytes: 1024 })).rejects.toThrow(
      '2048 bytes exceeds the file size limit of 1024 bytes',
    );
    await expect(validateBundle(archive, { ...DEFAULT_BUNDLE_LIMITS, maxTotalBytes: 2000 })).rejects.toThrow(
      'exceeds the total size limit of 2000 bytes',
    );
  });

  it('refuses a bundle without a manifest, or with a manifest naming missing files', async () => {
    const entries = validBundleEntries().filter((entry) => entry.path !== 'slipway-manifest.json');
    await expect(validateBundle(tarFixture(entries))).rejects.toThrow('slipway-manifest.json is missing from the build output');
    const dangling = tarFixture(validBundleEntries({ manifest: { prerendered: { '/gone': 'prerendered/gone.html' } } }));
    await expect(validateBundle(dangling)).rejects.toThrow(
      'prerendered /gone names prerendered/gone.html, which is not in the build output',
    );
  });

  it("accepts adapter-static's fallback page when the bundle holds it, with status 200 or 404 only", async () => {
    const page = { path: 'prerendered/__slipway_fallback/200.html', body: '<div id="app"></div>' };
    const fallback = { file: page.path, status: 200 };
    const result = await validateBundle(tarFixture(validBundleEntries({ manifest: { fallback }, extra: [page] })));
    expect(result.manifest.fallback).toEqual(fallback);
    await expect(validateBundle(tarFixture(validBundleEntries({ manifest: { fallback } })))).rejects.toThrow(
      'fallback fallback names prerendered/__slipway_fallback/200.html, which is not in the build output',
    );
    await expect(
      validateBundle(tarFixture(validBundleEntries({ manifest: { fallback: { ...fallback, status: 302 } }, extra: [page] }))),
    ).rejects.toThrow('field fallback.status is invalid');
  });

  it('accepts paths.assets as an absolute URL only, and says in the build log that its origin must serve the files', async () => {
    const manifest = { assetsPath: 'https://cdn.example/app', basePath: '/app' };
    const result = await validateBundle(tarFixture(validBundleEntries({ manifest })));
    expect(assetsOriginWarnings(result.manifest)).toEqual([
      "paths.assets is https://cdn.example/app: the pages load their build assets (_app/) and static files from there. This deployment serves them too, under /app/_app/ as adapter-node does; that origin must serve the same files (upload the build's client files there, or put it in front of this deployment)",
    ]);
    expect(assetsOriginWarnings((await validateBundle(tarFixture(validBundleEntries()))).manifest)).toEqual([]);
    for (const assetsPath of ['javascript:alert(1)', '/relative', 'https://cdn.example/a b']) {
      await expect(validateBundle(tarFixture(validBundleEntries({ manifest: { assetsPath } }))), assetsPath).rejects.toThrow(
        'field assetsPath is invalid',
      );
    }
  });

  it('refuses input that is not a gzip tar', async () => {
    await expect(validateBundle(Buffer.from('not an archive'))).rejects.toThrow(/not a readable gzip tar archive/);
  });
});

describe('pre-flight checks against the AWS limits a deployment lands in', () => {
  const bundle = (overrides: Partial<ValidatedBundle>): ValidatedBundle => ({
    manifest: { version: 1, appDir: '_app', basePath: '', prerendered: {}, static: {}, handler: 'server/handler.js' },
    files: 1,
    bytes: 1,
    areaBytes: { client: 0, prerendered: 0, server: 1 },
    fileSizes: new Map(),
    sha256: '0'.repeat(64),
    ...overrides,
  });

  it('refuses a server function over Lambda’s unzipped limit, naming it', async () => {
    const archive = tarFixture(validBundleEntries({ extra: [{ path: 'server/big.node', body: Buffer.alloc(4096, 1) }] }));
    await expect(validateBundle(archive, { ...DEFAULT_BUNDLE_LIMITS, maxServerBytes: 4000 })).rejects.toThrow(
      "the server function is over 4000 bytes unzipped, AWS Lambda's limit for a function's package",
    );
    expect(DEFAULT_BUNDLE_LIMITS.maxServerBytes).toBe(AWS_LIMITS.lambdaUnzippedBytes);
  });

  it('refuses route entries over a deployment’s part of the project’s share of the KeyValueStore, with the measured size', () => {
    // 5 MB / 200 projects = 26214 bytes a project; less 1024 for pointers and domains, in 3 parts.
    const budget = routeCacheBudget();
    expect(budget.deploymentBytes).toBe(8396);
    const routes = Object.fromEntries(
      Array.from({ length: 150 }, (_, i) => [`/docs/section/page-${i}`, `prerendered/docs/section/page-${i}.html`]),
    );
    const measured = () => checkAwsLimits(bundle({ manifest: { ...bundle({}).manifest, prerendered: routes } }), 'd-abc123-xyz', budget);
    expect(measured).toThrow(AwsLimitError);
    expect(measured).toThrow(
      /^the deployment's 150 route cache entries take \d+ bytes, over a deployment's share of the KeyValueStore, 8396 bytes \(the project's share, 26214 bytes = 5242880 \/ 200 projects, less 1024 for pointers and domains, split in 3 parts: the live deployment, 1 rollback target, the previews\)\. The platform setting routeCacheProjects .* \(AWS: `cdk deploy -c routeCacheProjects=N`; local: `slipway up --route-cache-projects N`\)$/,
    );
    // Under the share: accepted.
    const fewer = Object.fromEntries(Object.entries(routes).slice(0, 100));
    expect(checkAwsLimits(bundle({ manifest: { ...bundle({}).manifest, prerendered: fewer } }), 'd-abc123-xyz', budget)).toEqual([]);
  });

  it('splits the store by the routeCacheProjects setting, whose bad values are refused naming the field', () => {
    // 5 MB / 20 projects = 262144 bytes a project; less 1024, in 3 parts.
    expect(routeCacheBudget(20)).toEqual({ projects: 20, projectShareBytes: 262144, deploymentBytes: 87040, previewBytes: 87040 });
    // The largest setting still leaves each deployment 1 KB.
    expect(routeCacheBudget(MAX_ROUTE_CACHE_PROJECTS).deploymentBytes).toBeGreaterThanOrEqual(1024);
    expect(Math.floor((Math.floor(AWS_LIMITS.kvsTotalBytes / (MAX_ROUTE_CACHE_PROJECTS + 1)) - 1024) / 3)).toBeLessThan(1024);
    // A caller that skipped parsing (a programmatic startPlatform option) is refused at use.
    for (const bad of [0, 2.5, MAX_ROUTE_CACHE_PROJECTS + 1]) {
      expect(() => routeCacheBudget(bad), String(bad)).toThrow(/"field":"routeCacheProjects"/);
    }
    expect(parseRouteCacheProjects(undefined, 'F')).toBeUndefined();
    expect(parseRouteCacheProjects(' 20 ', 'F')).toBe(20);
    for (const bad of ['0', '-3', '2.5', 'many', String(MAX_ROUTE_CACHE_PROJECTS + 1)]) {
      expect(() => parseRouteCacheProjects(bad, 'context.routeCacheProjects'), bad).toThrow(/"field":"context.routeCacheProjects"/);
    }
  });

  it('warns, without failing, about a text file too large for CloudFront to compress', () => {
    const fileSizes = new Map([
      ['client/_app/immutable/chunks/huge.js', 12_000_000],
      ['client/video.mp4', 40_000_000],
      ['server/index.js', 20_000_000],
    ]);
    expect(checkAwsLimits(bundle({ fileSizes }), 'd-abc123-xyz', routeCacheBudget())).toEqual([
      'client/_app/immutable/chunks/huge.js is 12000000 bytes: CloudFront compresses files up to 10000000 bytes, so it is served uncompressed',
    ]);
  });
});
