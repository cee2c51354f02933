import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, writeFile, readdir, lstat, readlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extractSource, findAppDir, SourceError } from '../../buildrunner/runner/source.js';
import { tarFixture, type FixtureEntry } from '../support/tar-fixture.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-source-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function extractEntries(entries: FixtureEntry[], limits?: Parameters<typeof extractSource>[2]) {
  const file = join(dir, 'source.tar.gz');
  await writeFile(file, tarFixture(entries));
  return extractSource(file, join(dir, 'ws', 'src'), limits);
}

const app: FixtureEntry[] = [
  { path: 'package.json', body: '{"name":"app"}' },
  { path: 'src/', type: 'Directory' },
  { path: 'src/index.js', body: 'export {}' },
];

describe('source extraction', () => {
  it('extracts a well-formed archive and reports its size', async () => {
    const result = await extractEntries([...app, { path: 'src/link.js', type: 'SymbolicLink', linkpath: 'index.js' }]);
    expect(result).toEqual({ files: 2, bytes: 14 + 9 });
    expect(await readFile(join(dir, 'ws/src/package.json'), 'utf8')).toBe('{"name":"app"}');
    expect(await readlink(join(dir, 'ws/src/src/link.js'))).toBe('index.js');
    expect(await findAppDir(join(dir, 'ws/src'))).toBe(join(dir, 'ws/src'));
  });

  it('accepts ./-prefixed entries and a single wrapping folder', async () => {
    await extractEntries([
      { path: './app/', type: 'Directory' },
      { path: './app/package.json', body: '{}' },
    ]);
    expect(await findAppDir(join(dir, 'ws/src'))).toBe(join(dir, 'ws/src/app'));
  });

  it.each<[string, FixtureEntry, RegExp]>([
    ['a ../ path', { path: '../escape.txt', body: 'x' }, /path traversal/],
    ['a nested ../ path', { path: 'src/../../escape.txt', body: 'x' }, /path traversal/],
    ['an absolute path', { path: '/tmp/slipway-escape.txt', body: 'x' }, /absolute paths are not allowed/],
    ['a symlink to an absolute path', { path: 'etc', type: 'SymbolicLink', linkpath: '/etc' }, /absolute path/],
    ['a symlink climbing out', { path: 'src/up', type: 'SymbolicLink', linkpath: '../../..' }, /points outside/],
    ['a hard link climbing out', { path: 'hard', type: 'Link', linkpath: '../outside.txt' }, /points outside|may not contain/],
    ['a hard link to an absolute path', { path: 'hard', type: 'Link', linkpath: '/etc/passwd' }, /absolute path/],
  ])('refuses %s and writes nothing', async (_name, bad, message) => {
    const error = await extractEntries([...app, bad]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceError);
    expect((error as Error).message).toMatch(message);
    // Checked before anything is written: no src folder, nothing beside the workspace.
    await expect(lstat(join(dir, 'ws/src'))).rejects.toThrow();
    expect((await readdir(dir)).sort()).toEqual(['source.tar.gz']);
  });

  it('refuses a symlink chain that only escapes once resolved', async () => {
    // sub/x -> .. is the root (fine on its own); y -> sub/x/.. looks like "sub" but resolves above the root.
    const error = await extractEntries([
      ...app,
      { path: 'sub/', type: 'Directory' },
      { path: 'sub/x', type: 'SymbolicLink', linkpath: '..' },
      { path: 'y', type: 'SymbolicLink', linkpath: 'sub/x/..' },
    ]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceError);
    expect((error as Error).message).toMatch(/"y": link points outside/);
    await expect(lstat(join(dir, 'ws/src'))).rejects.toThrow();
  });

  it('refuses an archive over the size or entry limit', async () => {
    await expect(extractEntries(app, { maxExtractedBytes: 10, maxEntries: 100 })).rejects.toThrow('larger than the limit of 10 bytes');
    await expect(extractEntries(app, { maxExtractedBytes: 1000, maxEntries: 2 })).rejects.toThrow('more than 2 entries');
  });

  it('refuses something that is not a gzip tar', async () => {
    const file = join(dir, 'source.tar.gz');
    await writeFile(file, 'definitely not a tarball');
    await expect(extractSource(file, join(dir, 'ws/src'))).rejects.toThrow(SourceError);
  });

  it('refuses a source without package.json', async () => {
    await extractEntries([{ path: 'README.md', body: 'hi' }]);
    await expect(findAppDir(join(dir, 'ws/src'))).rejects.toThrow('no package.json at its root');
  });
});
