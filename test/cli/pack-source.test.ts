import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { list } from 'tar';
import { Readable } from 'node:stream';
import { packSource } from '../../cli/pack-source.js';
import { describeLeftOut, listSourceFiles } from '../../cli/source-files.js';

/**
 * The CLI's packer ships what git would track (plus the rules it always applies), never dropping a
 * file for its bare name: a SvelteKit app's `build` route, static folder and lib module ship.
 */
let repo: string;

const TREE: Record<string, string> = {
  '.gitignore': '/build\n/dist/\n*.log\n',
  'package.json': '{"name":"app","scripts":{"build":"vite build"}}\n',
  'src/routes/build/+page.svelte': '<h1>build</h1>\n',
  'src/routes/+page.svelte': '<h1>home</h1>\n',
  'static/build/x.txt': 'x\n',
  'src/lib/build/y.ts': 'export const y = 1;\n',
  'src/lib/.gitignore': 'generated/\n*.tmp\n!keep.tmp\n',
  'src/lib/generated/z.ts': 'export const z = 1;\n',
  'src/lib/scratch.tmp': 'scratch\n',
  'src/lib/keep.tmp': 'kept by a negated rule\n',
  'build/index.js': 'the adapter output of a local build\n',
  'dist/bundle.js': 'output\n',
  'debug.log': 'log\n',
  'node_modules/left-pad/index.js': 'module.exports = 1;\n',
  'packages/ui/node_modules/x/index.js': 'nested dependency\n',
  '.svelte-kit/generated/root.js': 'generated\n',
  '.env': 'SECRET=1\n',
  '.env.local': 'SECRET=2\n',
  '.env.production': 'SECRET=3\n',
  '.env.example': 'SECRET=\n',
  '.slipway/token': 'slw_not_for_upload\n',
};

async function writeTree(root: string, tree: Record<string, string>): Promise<void> {
  for (const [path, body] of Object.entries(tree)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), body);
  }
}

beforeAll(async () => {
  repo = await mkdtemp(join(tmpdir(), 'slipway-pack-'));
  await writeTree(repo, TREE);
});
afterAll(async () => {
  await rm(repo, { recursive: true, force: true });
});

describe('the CLI source packer', () => {
  it('ships folders and files named build unless a .gitignore names them, and follows nested .gitignore files', async () => {
    const { files } = await listSourceFiles(repo);
    expect(files).toEqual(
      expect.arrayContaining(['src/routes/build/+page.svelte', 'static/build/x.txt', 'src/lib/build/y.ts', 'src/lib/keep.tmp']),
    );
    for (const left of ['build/index.js', 'dist/bundle.js', 'debug.log', 'src/lib/generated/z.ts', 'src/lib/scratch.tmp']) {
      expect(files, left).not.toContain(left);
    }
  });

  it('always leaves out dependencies, .svelte-kit, the CLI state and .env files but ships .env.example', async () => {
    const { files } = await listSourceFiles(repo);
    expect(files.filter((f) => f.includes('node_modules') || f.startsWith('.svelte-kit') || f.startsWith('.slipway'))).toEqual([]);
    expect(files.filter((f) => f.startsWith('.env'))).toEqual(['.env.example']);
  });

  it('ships exactly what git would track (apart from the rules it always applies)', async () => {
    execFileSync('git', ['init', '-q', repo]);
    try {
      const tracked = execFileSync('git', ['-C', repo, 'ls-files', '--others', '--exclude-standard'], { encoding: 'utf8' })
        .trim()
        .split('\n')
        .filter((f) => !/(^|\/)(node_modules|\.svelte-kit|\.slipway)\//.test(f) && !/^\.env(?!\.example)/.test(f))
        .sort();
      expect((await listSourceFiles(repo)).files.sort()).toEqual(tracked);
    } finally {
      await rm(join(repo, '.git'), { recursive: true, force: true });
    }
  });

  it('applies the .gitignore files above the packed folder up to the repository top', async () => {
    const top = await mkdtemp(join(tmpdir(), 'slipway-pack-repo-'));
    try {
      await writeTree(top, {
        '.gitignore': 'apps/web/secret.txt\n*.bak\n',
        'apps/.gitignore': 'web/local/\n',
        'apps/web/package.json': '{}\n',
        'apps/web/secret.txt': 'no\n',
        'apps/web/old.bak': 'no\n',
        'apps/web/local/x': 'no\n',
        'apps/web/src/app.html': 'yes\n',
      });
      await mkdir(join(top, '.git'));
      const { files, leftOut } = await listSourceFiles(join(top, 'apps', 'web'));
      expect(files.sort()).toEqual(['package.json', 'src/app.html']);
      expect(leftOut.map((r) => `${r.source} ${r.pattern}`).sort()).toEqual([
        '../../.gitignore *.bak',
        '../../.gitignore apps/web/secret.txt',
        '../.gitignore web/local/',
      ]);
    } finally {
      await rm(top, { recursive: true, force: true });
    }
  });

  it('summarises what it left out, biggest rule first', async () => {
    const { leftOut } = await listSourceFiles(repo);
    const nodeModules = leftOut.find((r) => r.pattern === 'node_modules/');
    expect(nodeModules).toMatchObject({ source: 'always', count: 2 });
    expect(leftOut.find((r) => r.pattern === '.env*')).toMatchObject({ source: 'always', count: 3 });
    expect(leftOut.find((r) => r.pattern === 'generated/')).toMatchObject({ source: 'src/lib/.gitignore', count: 1 });
    const line = describeLeftOut(leftOut, 2);
    expect(line).toBe(
      `left out ${leftOut.reduce((n, r) => n + r.count, 0)} entries: .env* (always, 3), node_modules/ (always, 2), ${leftOut.length - 2} more rules`,
    );
    expect(describeLeftOut([])).toBeUndefined();
  });

  it('packs the listed files into a gzip tar the build runner can read', async () => {
    const packed = await packSource(repo);
    const paths: string[] = [];
    await new Promise<void>((resolve, reject) => {
      Readable.from(packed.archive)
        .pipe(list({ onReadEntry: (entry) => paths.push(entry.path) }))
        .on('finish', resolve)
        .on('error', reject);
    });
    expect(paths.sort()).toEqual((await listSourceFiles(repo)).files.sort());
    expect(packed.files).toBe(paths.length);
    // A folder whose every file is left out is refused before anything is uploaded.
    await expect(packSource(join(repo, '.svelte-kit', 'generated'))).resolves.toMatchObject({ files: 1 });
    const onlySecrets = await mkdtemp(join(tmpdir(), 'slipway-pack-env-'));
    await writeFile(join(onlySecrets, '.env'), 'SECRET=1\n');
    await expect(packSource(onlySecrets)).rejects.toThrow(/no files to ship/);
    await rm(onlySecrets, { recursive: true, force: true });
  });
});
