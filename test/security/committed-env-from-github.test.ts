import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tar from 'tar';
import { describe, expect, it } from 'vitest';
import { stripTopLevel } from '../../handlers/pipeline/fetch-source.js';
import { tarFixture } from '../support/tar-fixture.js';

/**
 * The attack (a leak by mistake as much as by malice): a repository commits `.env` files holding a
 * secret. Pushed to GitHub, the commit's tarball becomes the deployment's source; had it kept them,
 * Vite would load them in the build and SvelteKit's `$env/static/*` would inline the values into the
 * bundle, as no `slipway env set` ever asked. The CLI's packer never ships `.env*`; neither may the
 * GitHub path: what *Fetch source* stores holds no such file and not one byte of the secret.
 */
const SECRET = 'DB_PASSWORD=hunter2-committed-by-mistake';

describe('a committed .env in a GitHub commit', () => {
  it('never reaches the source archive the build unpacks (templates without values do)', async () => {
    const top = 'octo-app-0123abc';
    const github = tarFixture([
      { path: `${top}/`, type: 'Directory' },
      { path: `${top}/package.json`, body: '{}' },
      { path: `${top}/.env`, body: `${SECRET}\n` },
      { path: `${top}/.env.production`, body: `${SECRET}\n` },
      { path: `${top}/apps/web/.env.local`, body: `${SECRET}\n` },
      { path: `${top}/.env.example`, body: 'DB_PASSWORD=\n' },
      { path: `${top}/src/routes/+page.svelte`, body: '<h1>hi</h1>' },
    ]);
    // The unpacked tarball as GitHub sends it does hold the secret: the fixture reproduces the case.
    expect((await contents(github)).filter(([, body]) => body.includes('hunter2')).length).toBe(3);

    const stored = await contents(await stripTopLevel(github));
    expect(stored.map(([path]) => path).sort()).toEqual(['.env.example', 'package.json', 'src/routes/+page.svelte']);
    for (const [path, body] of stored) expect(body, path).not.toContain('hunter2');
  });
});

/** Every file of a gzip tar, with its text. */
async function contents(archive: Buffer): Promise<Array<[string, string]>> {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-env-leak-'));
  try {
    writeFileSync(join(dir, 'a.tgz'), archive);
    const files: Array<[string, string]> = [];
    await tar.t({
      file: join(dir, 'a.tgz'),
      onReadEntry: (entry) => {
        if (entry.type !== 'File') return entry.resume();
        const chunks: Buffer[] = [];
        entry.on('data', (chunk: Buffer) => chunks.push(chunk));
        entry.on('end', () => files.push([entry.path.replace(/^\.\//, ''), Buffer.concat(chunks).toString('utf8')]));
      },
    });
    return files;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
