import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildManifest, FALLBACK_DIR, staticFallback, type Builder } from '../../buildrunner/adapter/index.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A build output with the given files, and a Builder that describes it. */
function output(files: string[]): { outDir: string; builder: Builder } {
  const outDir = mkdtempSync(join(tmpdir(), 'slipway-fallback-'));
  dirs.push(outDir);
  for (const file of files) {
    mkdirSync(dirname(join(outDir, file)), { recursive: true });
    writeFileSync(join(outDir, file), 'x');
  }
  const builder = {
    config: { kit: { appDir: '_app', outDir: '.svelte-kit', paths: { base: '' } } },
    prerendered: { pages: new Map(), assets: new Map(), redirects: new Map(), paths: [] },
  } as unknown as Builder;
  return { outDir, builder };
}

describe("adapter-static's fallback option", () => {
  it('is read from the options the app passed to adapter-static: 404.html answers 404, any other page 200', () => {
    expect(staticFallback({ fallback: '200.html' })).toEqual({ name: '200.html', status: 200 });
    expect(staticFallback({ fallback: 'index.html', pages: 'build' })).toEqual({ name: 'index.html', status: 200 });
    expect(staticFallback({ fallback: '404.html' })).toEqual({ name: '404.html', status: 404 });
  });

  it('is ignored when absent or not a plain page name (no paths out of the bundle)', () => {
    for (const options of [
      undefined,
      null,
      {},
      { out: 'build' },
      { fallback: true },
      { fallback: '../x.html' },
      { fallback: 'a/b.html' },
      { fallback: '.html' },
      { fallback: 'x.txt' },
    ]) {
      expect(staticFallback(options), JSON.stringify(options)).toBeUndefined();
    }
  });

  it('goes into the manifest with its status once the page was written', () => {
    const written = output([`${FALLBACK_DIR}/200.html`, 'client/robots.txt']);
    expect(buildManifest(written.builder, written.outDir, '2.70.4', { name: '200.html', status: 200 }).fallback).toEqual({
      file: `${FALLBACK_DIR}/200.html`,
      status: 200,
    });
    const missing = output(['client/robots.txt']);
    expect(buildManifest(missing.builder, missing.outDir, '2.70.4', { name: '200.html', status: 200 }).fallback).toBeUndefined();
  });
});
