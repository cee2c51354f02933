import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  behaviorFor,
  defaultAssetsRequestFile,
  defaultViewerRequestFile,
  loadCloudFrontFunction,
  loadEdgeFunctions,
  loadViewerRequest,
  makeEvent,
  responseBody,
  type ViewerRequestResult,
} from '../../infra/local/edge/cloudfront-functions.js';
import { edgeFunctionSource } from '../../infra/aws/projects/edge-function-source.js';
import { domainKey, liveKey, pointerValue, previewKey, routeEntriesFor } from '../../handlers/lib/route-cache-keys.js';

const FILE = fileURLToPath(new URL('../../router/cloudfront/viewer-request.js', import.meta.url));
const ASSETS_FILE = fileURLToPath(new URL('../../router/cloudfront/assets-request.js', import.meta.url));

const entries: Record<string, string> = {
  [liveKey('hello')]: pointerValue('d-1', '5'),
  [liveKey('spa')]: 'd-2',
  ...routeEntriesFor('d-1', {
    prerendered: { '/': 'prerendered/index.html', '/about': 'prerendered/about.html', '/café': 'prerendered/café.html' },
    static: {
      '/robots.txt': 'client/robots.txt',
      '/favicon.png': 'client/favicon.png',
      '/guide/index.html': 'client/guide/index.html',
      '/v3.1/index.html': 'client/v3.1/index.html',
      '/terms.html': 'client/terms.html',
      '/both.html': 'client/both.html',
      '/both/index.html': 'client/both/index.html',
    },
  }),
  ...routeEntriesFor('d-1', { prerendered: { '/always/': 'prerendered/always/index.html' }, static: {} }),
  [liveKey('spa-static')]: 'd-4',
  ...routeEntriesFor('d-4', {
    prerendered: { '/about': 'prerendered/about.html' },
    static: { '/robots.txt': 'client/robots.txt' },
    fallback: { file: 'prerendered/__slipway_fallback/200.html', status: 200 },
  }),
  [liveKey('pages-404')]: 'd-5',
  ...routeEntriesFor('d-5', { prerendered: {}, static: {}, fallback: { file: 'prerendered/__slipway_fallback/404.html', status: 404 } }),
  [liveKey('based')]: 'd-3',
  ...routeEntriesFor('d-3', { prerendered: {}, static: { '/base/robots.txt': 'client/robots.txt' }, basePath: '/base', appDir: '_app' }),
  ...routeEntriesFor('d-2', { prerendered: { '/about': 'prerendered/about.html' }, static: {} }),
  // A preview of hello: its own deployment and function version, production stays on d-1.
  [previewKey('hello', 'feature-x')]: pointerValue('d-9', '42'),
  ...routeEntriesFor('d-9', { prerendered: { '/about': 'prerendered/about-v2.html' }, static: {} }),
  // Custom domains, as the release step writes them; "spa.example.com" must not be read as the project "spa".
  [domainKey('www.hello.example')]: 'hello',
  [domainKey('spa.example.com')]: 'hello',
};
// Both functions, each on the paths of its behaviors: what CloudFront (and the local edge) runs.
const run = loadEdgeFunctions((key) => entries[key]);
// The same functions as the AWS stack deploys them for the domainName apps.example.com.
const awsFunctions = mkdtempSync(join(tmpdir(), 'slipway-edge-functions-'));
for (const file of ['viewer-request.js', 'assets-request.js'] as const)
  writeFileSync(join(awsFunctions, file), edgeFunctionSource(file, 'apps.example.com'));
const runAws = loadEdgeFunctions((key) => entries[key], {
  viewerRequest: join(awsFunctions, 'viewer-request.js'),
  assetsRequest: join(awsFunctions, 'assets-request.js'),
});

function request(result: ViewerRequestResult) {
  if (result.kind !== 'request') throw new Error(`expected a request, got response ${result.response.statusCode}`);
  return result.request;
}

describe('viewer-request CloudFront Function (sandbox)', () => {
  for (const file of [FILE, ASSETS_FILE]) {
    it(`${file.split('/').pop()} is a valid cloudfront-js-2.0 file: under 10 KB, imports only cloudfront, no require/fetch/timers`, () => {
      const source = readFileSync(file, 'utf8');
      expect(statSync(file).size).toBeLessThan(10 * 1024);
      expect(source).not.toMatch(/require\(/);
      expect(source.split('\n')[0]).toBe("import cf from 'cloudfront';");
      expect(source.match(/^import /gm)).toHaveLength(1);
      expect(source).not.toMatch(/^export /m);
      expect(source).toMatch(/^async function handler\(event\)/m);
      expect(source).toContain('const kvs = cf.kvs();');
      expect(source).not.toMatch(
        /setTimeout|setInterval|setImmediate|queueMicrotask|fetch\(|XMLHttpRequest|\beval\(|new Function\(|process\.|globalThis/,
      );
      // The infra publishes the file as is: no placeholder left to replace.
      expect(source).not.toContain('__SLIPWAY_');
    });
  }

  it('finds both files from the source tree', () => {
    expect(defaultViewerRequestFile()).toBe(FILE);
    expect(defaultAssetsRequestFile()).toBe(ASSETS_FILE);
  });

  it('picks the function per behavior: /_app/* assets, except the SvelteKit server paths', () => {
    expect(behaviorFor('/_app/immutable/x.js')).toBe('assets');
    expect(behaviorFor('/_app/version.json')).toBe('assets');
    expect(behaviorFor('/_app/env.js')).toBe('viewer');
    expect(behaviorFor('/_app/remote/abc/f')).toBe('viewer');
    expect(behaviorFor('/_apple')).toBe('viewer');
    expect(behaviorFor('/about')).toBe('viewer');
  });

  it('the assets function alone never sends anything to the router', async () => {
    const assets = loadCloudFrontFunction(ASSETS_FILE, (key) => entries[key]);
    for (const uri of ['/_app/env.js', '/_app/remote/abc/f', '/about']) {
      const result = await assets(makeEvent({ uri, host: 'hello.localhost', headers: { 'x-slipway-project': 'evil' } }));
      expect(result.kind, uri).toBe('response');
    }
    const ok = request(
      await assets(makeEvent({ uri: '/_app/version.json', host: 'hello.localhost', headers: { 'x-slipway-project': 'evil' } })),
    );
    expect(ok.uri).toBe('/hello/deployments/d-1/client/_app/version.json');
    expect(ok.headers['x-slipway-project']).toBeUndefined();
    const missing = await assets(makeEvent({ uri: '/_app/x.js', host: 'nope.localhost' }));
    expect(missing.kind === 'response' && missing.response.statusCode).toBe(404);
  });

  it('without a file, loadViewerRequest runs both functions by behavior (the local edge)', async () => {
    const edge = loadViewerRequest(undefined, (key) => entries[key]);
    expect(request(await edge(makeEvent({ uri: '/_app/immutable/x.js', host: 'hello.localhost' }))).uri).toBe(
      '/hello/deployments/d-1/client/_app/immutable/x.js',
    );
    expect(request(await edge(makeEvent({ uri: '/_app/env.js', host: 'hello.localhost' }))).headers['x-slipway-origin']?.value).toBe(
      'router',
    );
  });

  it('answers 404 for an unknown project', async () => {
    const result = await run(makeEvent({ uri: '/', host: 'nope.localhost:8080' }));
    expect(result.kind).toBe('response');
    if (result.kind !== 'response') return;
    expect(result.response.statusCode).toBe(404);
    expect(responseBody(result.response).toString()).toContain('no project named nope');
  });

  it('answers 404 for hosts that name no valid project', async () => {
    for (const host of ['localhost:8080', 'A_B.localhost', 'x.localhost', '-bad.localhost', '', 'hello.']) {
      const result = await run(makeEvent({ uri: '/', host }));
      expect(result.kind, host).toBe('response');
      if (result.kind === 'response') expect(result.response.statusCode).toBe(404);
    }
  });

  it('rewrites /_app/ requests to the client prefix of the live deployment', async () => {
    const req = request(await run(makeEvent({ uri: '/_app/immutable/x.js', host: 'hello.localhost:8080' })));
    expect(req.uri).toBe('/hello/deployments/d-1/client/_app/immutable/x.js');
    expect(req.headers['x-slipway-origin']).toBeUndefined();
  });

  it('refuses dot segments under the app dir', async () => {
    for (const uri of ['/_app/../../other/deployments/d-1/server/handler.js', '/_app/%2E%2E/x', '/_app/./x']) {
      const result = await run(makeEvent({ uri, host: 'hello.localhost' }));
      expect(result.kind, uri).toBe('response');
    }
  });

  it('resolves /about to the prerendered file and redirects /about/ to it with 308, as adapter-node does', async () => {
    const req = request(await run(makeEvent({ uri: '/about', host: 'hello.localhost:8080' })));
    expect(req.uri).toBe('/hello/deployments/d-1/prerendered/about.html');
    const redirect = await run(makeEvent({ uri: '/about/', host: 'hello.localhost:8080', querystring: 'a=1&b=x%20y' }));
    if (redirect.kind !== 'response') throw new Error('expected a redirect');
    expect(redirect.response.statusCode).toBe(308);
    expect(redirect.response.headers?.location?.value).toBe('/about?a=1&b=x%20y');
    // adapter-node redirects to the decoded path it found; a Location carries it percent-encoded.
    const decodedRedirects: Array<[string, string]> = [
      ['/ab%6Fut/', '/about'],
      ['/caf%C3%A9/', '/caf%C3%A9'],
    ];
    for (const [uri, location] of decodedRedirects) {
      const result = await run(makeEvent({ uri, host: 'hello.localhost' }));
      if (result.kind !== 'response') throw new Error(`${uri}: expected a redirect`);
      expect(result.response.headers?.location?.value, uri).toBe(location);
    }
  });

  it("redirects a trailingSlash 'always' page asked without its slash, for any method", async () => {
    for (const method of ['GET', 'POST']) {
      const result = await run(makeEvent({ method, uri: '/always', host: 'hello.localhost' }));
      if (result.kind !== 'response') throw new Error(`${method}: expected a redirect`);
      expect(result.response.statusCode).toBe(308);
      expect(result.response.headers?.location?.value).toBe('/always/');
    }
    expect(request(await run(makeEvent({ uri: '/always/', host: 'hello.localhost' }))).uri).toBe(
      '/hello/deployments/d-1/prerendered/always/index.html',
    );
  });

  it('serves a static directory index at /guide/ and /guide, a dotted folder, and /terms for terms.html', async () => {
    const cases: Array<[string, string]> = [
      ['/guide/', 'client/guide/index.html'],
      ['/guide', 'client/guide/index.html'],
      ['/v3.1/', 'client/v3.1/index.html'],
      ['/v3.1', 'client/v3.1/index.html'],
      ['/terms', 'client/terms.html'],
      ['/terms/', 'client/terms.html'],
      ['/terms.html', 'client/terms.html'],
      ['/robots.txt/', 'client/robots.txt'],
      // An exact file wins over an alias; then sirv's order: P.html before P/index.html.
      ['/both', 'client/both.html'],
    ];
    for (const [uri, file] of cases) {
      expect(request(await run(makeEvent({ uri, host: 'hello.localhost' }))).uri, uri).toBe(`/hello/deployments/d-1/${file}`);
    }
    // sirv decodes a path with decodeURI: %69 is "i", an encoded "/" names no folder.
    expect(request(await run(makeEvent({ uri: '/gu%69de/', host: 'hello.localhost' }))).uri).toBe(
      '/hello/deployments/d-1/client/guide/index.html',
    );
    for (const uri of ['/guide%2Findex.html', '/guide%2F', '/terms.html%2F']) {
      expect(request(await run(makeEvent({ uri, host: 'hello.localhost' }))).headers['x-slipway-origin']?.value, uri).toBe('router');
    }
    // sirv drops one trailing slash, not two: /guide// is the server's (its 404 page).
    for (const uri of ['/guide//', '/robots.txt//']) {
      expect(request(await run(makeEvent({ uri, host: 'hello.localhost' }))).headers['x-slipway-origin']?.value, uri).toBe('router');
    }
    // Static files are not redirected and never answer other methods.
    const post = request(await run(makeEvent({ method: 'POST', uri: '/guide', host: 'hello.localhost' })));
    expect(post.headers['x-slipway-origin']?.value).toBe('router');
  });

  it("answers unknown routes of an adapter-static app with its 200 fallback page, files that don't exist stay missing", async () => {
    for (const uri of ['/', '/todos/42', '/deep/path/']) {
      expect(request(await run(makeEvent({ uri, host: 'spa-static.localhost' }))).uri, uri).toBe(
        '/spa-static/deployments/d-4/prerendered/__slipway_fallback/200.html',
      );
    }
    expect(request(await run(makeEvent({ uri: '/about', host: 'spa-static.localhost' }))).uri).toBe(
      '/spa-static/deployments/d-4/prerendered/about.html',
    );
    for (const uri of ['/missing.js', '/_app/env.js']) {
      expect(request(await run(makeEvent({ uri, host: 'spa-static.localhost' }))).headers['x-slipway-origin']?.value, uri).toBe('router');
    }
    // Other methods, and a 404 fallback (whose status only the server can set), go to the server.
    expect(request(await run(makeEvent({ method: 'POST', uri: '/todos', host: 'spa-static.localhost' }))).uri).toBe('/todos');
    expect(request(await run(makeEvent({ uri: '/todos', host: 'pages-404.localhost' }))).headers['x-slipway-origin']?.value).toBe('router');
  });

  it('maps {base}/_app/... to the build assets of an app with paths.base, and nothing outside them', async () => {
    const asset = request(await run(makeEvent({ uri: '/base/_app/immutable/x.js', host: 'based.localhost' })));
    expect(asset.uri).toBe('/based/deployments/d-3/client/_app/immutable/x.js');
    expect(request(await run(makeEvent({ uri: '/base/_app/version.json', host: 'based.localhost' }))).uri).toBe(
      '/based/deployments/d-3/client/_app/version.json',
    );
    for (const uri of ['/base/_app/env.js', '/base/_app/remote/abc/f', '/base/_app/', '/other/_app/x.js']) {
      const result = request(await run(makeEvent({ uri, host: 'based.localhost' })));
      expect(result.headers['x-slipway-origin']?.value, uri).toBe('router');
    }
    // Without the base, as adapter-node (SvelteKit outside paths.base): 404 "Not found", and no file.
    for (const uri of ['/_app/immutable/x.js', '/_app/version.json']) {
      const result = await run(makeEvent({ uri, host: 'based.localhost' }));
      if (result.kind !== 'response') throw new Error(`${uri}: expected a response, got ${result.request.uri}`);
      expect([result.response.statusCode, responseBody(result.response).toString(), result.response.headers], uri).toEqual([
        404,
        'Not found',
        undefined,
      ]);
    }
    expect(request(await run(makeEvent({ uri: '/_app/version.json', host: 'hello.localhost' }))).uri).toBe(
      '/hello/deployments/d-1/client/_app/version.json',
    );
    for (const uri of ['/base/_app/../slipway-manifest.json', '/base/_app/%2e%2e/server/handler.js']) {
      const result = request(await run(makeEvent({ uri, host: 'based.localhost' })));
      expect(result.uri, uri).toBe(uri);
      expect(result.headers['x-slipway-origin']?.value, uri).toBe('router');
    }
  });

  it('resolves percent-encoded paths of prerendered pages', async () => {
    const req = request(await run(makeEvent({ uri: '/caf%C3%A9', host: 'hello.localhost' })));
    expect(req.uri).toBe('/hello/deployments/d-1/prerendered/café.html');
  });

  it('resolves static files from static/ to the client prefix', async () => {
    const req = request(await run(makeEvent({ uri: '/robots.txt', host: 'hello.localhost:8080' })));
    expect(req.uri).toBe('/hello/deployments/d-1/client/robots.txt');
  });

  it('serves / from the prerendered index when there is one, else from the router', async () => {
    const prerendered = request(await run(makeEvent({ uri: '/', host: 'hello.localhost:8080' })));
    expect(prerendered.uri).toBe('/hello/deployments/d-1/prerendered/index.html');
    const dynamic = request(await run(makeEvent({ uri: '/', host: 'spa.localhost:8080' })));
    expect(dynamic.uri).toBe('/');
    expect(dynamic.headers['x-slipway-deployment']?.value).toBe('d-2');
  });

  describe('preview hosts <project>--<alias>', () => {
    it("serves the preview deployment's prerendered pages and assets, production keeps its own", async () => {
      const preview = request(await run(makeEvent({ uri: '/about', host: 'hello--feature-x.localhost:8080' })));
      expect(preview.uri).toBe('/hello/deployments/d-9/prerendered/about-v2.html');
      const asset = request(await runAws(makeEvent({ uri: '/_app/immutable/x.js', host: 'hello--feature-x.apps.example.com' })));
      expect(asset.uri).toBe('/hello/deployments/d-9/client/_app/immutable/x.js');
      const production = request(await run(makeEvent({ uri: '/about', host: 'hello.localhost:8080' })));
      expect(production.uri).toBe('/hello/deployments/d-1/prerendered/about.html');
    });

    it("tags a dynamic request with the viewer's address CloudFront saw, never one the viewer wrote", async () => {
      const req = request(
        await run(
          makeEvent({ uri: '/api/items', host: 'hello.localhost:8080', ip: '198.51.100.10', headers: { 'x-slipway-viewer': '6.6.6.6' } }),
        ),
      );
      expect(req.headers['x-slipway-viewer']?.value).toBe('198.51.100.10');
    });

    it('tags dynamic requests with the project, the deployment and the function version its pointer names', async () => {
      const req = request(
        await run(makeEvent({ uri: '/api/items', host: 'hello--feature-x.localhost:8080', headers: { 'x-slipway-qualifier': 'forged' } })),
      );
      expect(req.headers['x-slipway-project']?.value).toBe('hello');
      expect(req.headers['x-slipway-deployment']?.value).toBe('d-9');
      expect(req.headers['x-slipway-qualifier']?.value).toBe('42');
      expect(req.headers['x-slipway-host']?.value).toBe('hello--feature-x.localhost:8080');
      // Production's pointer names its version too: the router invokes it, never an alias.
      const live = request(
        await run(makeEvent({ uri: '/api/items', host: 'hello.localhost:8080', headers: { 'x-slipway-qualifier': 'forged' } })),
      );
      expect(live.headers['x-slipway-deployment']?.value).toBe('d-1');
      expect(live.headers['x-slipway-qualifier']?.value).toBe('5');
      // A bare pointer (written before qualifiers) gets none, and a forged one never passes.
      const bare = request(
        await run(makeEvent({ uri: '/api/items', host: 'spa.localhost:8080', headers: { 'x-slipway-qualifier': 'forged' } })),
      );
      expect(bare.headers['x-slipway-deployment']?.value).toBe('d-2');
      expect(bare.headers['x-slipway-qualifier']).toBeUndefined();
    });

    it('answers 404 for an unknown alias and for labels that are no project--alias', async () => {
      const unknown = await run(makeEvent({ uri: '/', host: 'hello--nope.localhost:8080' }));
      expect(unknown.kind === 'response' && responseBody(unknown.response).toString()).toContain('no preview hello--nope');
      for (const host of [
        'hello--.localhost',
        'hello---x.localhost',
        'hello--x--y.localhost',
        'hello--feature-x-.localhost',
        '--x.localhost',
        `hello--${'a'.repeat(58)}.localhost`,
      ]) {
        for (const uri of ['/', '/_app/immutable/x.js']) {
          const result = await run(makeEvent({ uri, host }));
          expect(result.kind, `${host}${uri}`).toBe('response');
          if (result.kind === 'response') expect(result.response.statusCode).toBe(404);
        }
      }
    });
  });

  it('serves a custom domain as the project its d:{host} entry names, before reading the first label', async () => {
    expect(request(await run(makeEvent({ uri: '/about', host: 'www.hello.example' }))).uri).toBe(
      '/hello/deployments/d-1/prerendered/about.html',
    );
    expect(request(await run(makeEvent({ uri: '/about', host: 'SPA.example.com:443' }))).uri).toBe(
      '/hello/deployments/d-1/prerendered/about.html',
    );
    expect(request(await run(makeEvent({ uri: '/_app/immutable/x.js', host: 'www.hello.example' }))).uri).toBe(
      '/hello/deployments/d-1/client/_app/immutable/x.js',
    );
    const dynamic = request(await run(makeEvent({ uri: '/api/items', host: 'www.hello.example' })));
    expect(dynamic.headers['x-slipway-project']?.value).toBe('hello');
    expect(dynamic.headers['x-slipway-host']?.value).toBe('www.hello.example');
    // Without an entry the platform host rules apply as before.
    expect(request(await run(makeEvent({ uri: '/about', host: 'spa.localhost' }))).uri).toBe('/spa/deployments/d-2/prerendered/about.html');
  });

  it('tags dynamic requests and strips forged x-slipway-* headers', async () => {
    const result = await run(
      makeEvent({
        uri: '/api/items',
        host: 'hello.localhost:8080',
        querystring: 'a=1&a=2',
        cookie: 'session=abc',
        headers: {
          'x-slipway-project': 'evil',
          'x-slipway-deployment': 'd-0',
          'x-slipway-origin-secret': 'guess',
          'x-slipway-anything': '1',
          accept: 'application/json',
        },
      }),
    );
    const req = request(result);
    expect(req.uri).toBe('/api/items');
    expect(req.headers['x-slipway-project']?.value).toBe('hello');
    expect(req.headers['x-slipway-deployment']?.value).toBe('d-1');
    expect(req.headers['x-slipway-host']?.value).toBe('hello.localhost:8080');
    expect(req.headers['x-slipway-origin']?.value).toBe('router');
    expect(req.headers['x-slipway-origin-secret']).toBeUndefined();
    expect(req.headers['x-slipway-anything']).toBeUndefined();
    expect(req.headers.accept?.value).toBe('application/json');
    expect(req.querystring.a?.multiValue).toEqual([{ value: '1' }, { value: '2' }]);
    expect(req.cookies.session?.value).toBe('abc');
    expect(result.kind === 'request' && result.origin).toEqual({ originId: 'router' });
  });

  it('sends a POST to a prerendered path to the router', async () => {
    const req = request(await run(makeEvent({ method: 'POST', uri: '/about', host: 'hello.localhost:8080' })));
    expect(req.uri).toBe('/about');
    expect(req.headers['x-slipway-origin']?.value).toBe('router');
  });

  it('sends SvelteKit server paths under the app dir to the router', async () => {
    const req = request(await run(makeEvent({ method: 'POST', uri: '/_app/remote/abc/f', host: 'hello.localhost' })));
    expect(req.uri).toBe('/_app/remote/abc/f');
    expect(req.headers['x-slipway-project']?.value).toBe('hello');
  });

  it('strips the port and works for any platform domain', async () => {
    const local = request(await run(makeEvent({ uri: '/about', host: 'hello.localhost:8080' })));
    expect(local.uri).toBe('/hello/deployments/d-1/prerendered/about.html');
    const aws = request(await runAws(makeEvent({ uri: '/api', host: 'HELLO.apps.example.com' })));
    expect(aws.headers['x-slipway-project']?.value).toBe('hello');
    expect(aws.headers['x-slipway-host']?.value).toBe('HELLO.apps.example.com');
  });

  it('picks up route cache changes on the next request', async () => {
    const live: Record<string, string> = { 'p:hello': 'd-1' };
    const fn = loadViewerRequest(FILE, (key) => live[key]);
    expect(request(await fn(makeEvent({ uri: '/x', host: 'hello.localhost' }))).headers['x-slipway-deployment']?.value).toBe('d-1');
    live['p:hello'] = 'd-9';
    expect(request(await fn(makeEvent({ uri: '/x', host: 'hello.localhost' }))).headers['x-slipway-deployment']?.value).toBe('d-9');
  });
});
