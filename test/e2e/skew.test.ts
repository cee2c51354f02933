import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostRequest } from '../support/http.js';
import { copyExampleApp, ROOT, runCli, startPlatformProcess, type PlatformProcess } from '../support/platform-process.js';

/**
 * Skew protection end to end (issue 11, point 3): a page is loaded and every content-hashed file
 * it reaches is recorded (its preloads and, through the page's code, a lazily imported chunk);
 * then a second version whose lazy module differs by one string goes live; a client still running
 * the first version must get each of those files, byte for byte, from the live site.
 *
 * The app is the streaming fixture (its lockfile is shared) plus a page that imports a module on
 * mount, so the chunk is never preloaded by the HTML.
 */
const FIXTURE = join(ROOT, 'test', 'e2e', 'fixtures', 'streaming-app');
const PROJECT = 'skewed';

let home: string;
let work: string;
let platform: PlatformProcess;

function appVersion(marker: string): string {
  const app = join(work, marker);
  copyExampleApp(FIXTURE, app);
  mkdirSync(join(app, 'src', 'lib'), { recursive: true });
  mkdirSync(join(app, 'src', 'routes', 'skew'), { recursive: true });
  writeFileSync(join(app, 'src', 'lib', 'lazy-message.ts'), `export const message = 'skew marker ${marker}';\n`);
  writeFileSync(
    join(app, 'src', 'routes', 'skew', '+page.svelte'),
    [
      '<script lang="ts">',
      "  import { onMount } from 'svelte';",
      "  let message = $state('loading');",
      "  onMount(async () => ({ message } = await import('$lib/lazy-message')));",
      '</script>',
      '<p>{message}</p>',
      '',
    ].join('\n'),
  );
  return app;
}

async function deploy(app: string): Promise<void> {
  const result = await runCli(home, ['deploy', app, '--project', PROJECT]);
  if (result.code !== 0) throw new Error(`deploy failed:\n${result.stdout}\n${result.stderr}\n${platform.output()}`);
}

function get(path: string) {
  return hostRequest({ port: platform.port, host: `${PROJECT}.localhost:${platform.port}`, path });
}

const IMMUTABLE_URL = /\/_app\/immutable\/[^"'`\s)?#]+/g;
const RELATIVE_IMPORT = /["'`](\.{1,2}\/[^"'`\s]+?\.(?:js|css))["'`]/g;

/**
 * What a browser on `/skew` may ask for: the immutable files the HTML names, then, through each
 * script, the files it imports (statically or lazily), with their bytes.
 */
async function reachableFiles(): Promise<{ preloaded: Set<string>; files: Map<string, Buffer> }> {
  const page = await get('/skew');
  expect(page.status).toBe(200);
  const preloaded = new Set(page.text.match(IMMUTABLE_URL) ?? []);
  const files = new Map<string, Buffer>();
  const queue = [...preloaded];
  while (queue.length) {
    const url = queue.shift() as string;
    if (files.has(url)) continue;
    const file = await get(url);
    expect(file.status, url).toBe(200);
    files.set(url, file.body);
    if (!url.endsWith('.js')) continue;
    for (const found of file.text.match(IMMUTABLE_URL) ?? []) queue.push(found);
    for (const [, relative] of file.text.matchAll(RELATIVE_IMPORT)) {
      const resolved = new URL(relative as string, `http://site${url}`).pathname;
      if (resolved.startsWith('/_app/immutable/')) queue.push(resolved);
    }
  }
  return { preloaded, files };
}

function lazyChunk(found: { preloaded: Set<string>; files: Map<string, Buffer> }, marker: string): string {
  const lazy = [...found.files].filter(
    ([url, body]) => !found.preloaded.has(url) && body.toString('utf8').includes(`skew marker ${marker}`),
  );
  expect(lazy.map(([url]) => url)).toHaveLength(1);
  return (lazy[0] as [string, Buffer])[0];
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'slipway-e2e-skew-home-'));
  work = mkdtempSync(join(tmpdir(), 'slipway-e2e-skew-'));
  platform = await startPlatformProcess(home);
}, 60_000);

afterAll(async () => {
  await platform?.stop();
  rmSync(home, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

describe('skew protection on the local platform', () => {
  it('a client of the previous deployment still gets its chunks, lazy ones included, byte for byte, after the next release', async () => {
    await deploy(appVersion('one'));
    const before = await reachableFiles();
    const oldLazy = lazyChunk(before, 'one');

    await deploy(appVersion('two'));
    const after = await reachableFiles();
    const newLazy = lazyChunk(after, 'two');
    // The new release really is another build: its own lazy chunk has another name, and the old one is none of its files.
    expect(newLazy).not.toBe(oldLazy);
    expect(after.files.has(oldLazy)).toBe(false);

    const missing: string[] = [];
    for (const [url, bytes] of before.files) {
      const again = await get(url);
      if (again.status !== 200 || !again.body.equals(bytes)) missing.push(`${url}: ${again.status}`);
    }
    expect(missing).toEqual([]);
    expect((await get(oldLazy)).text).toContain('skew marker one');
  });
});
