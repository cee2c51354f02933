import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import * as tar from 'tar';
import { stripTopLevel } from '../../handlers/pipeline/fetch-source.js';
import { forgetGithubAppCredentials, githubAppCredentials } from '../../handlers/lib/github/app-credentials.js';
import { bindSecretSource } from '../../handlers/lib/bindings/bound.js';
import { privateFilesSecretSource, type PrivateFilesConfig } from '../../handlers/lib/bindings/secret-source/private-files.js';
import { tarFixture } from '../support/tar-fixture.js';

async function entries(archive: Buffer): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-strip-'));
  try {
    writeFileSync(join(dir, 'a.tgz'), archive);
    const names: string[] = [];
    await tar.t({ file: join(dir, 'a.tgz'), onReadEntry: (e) => void names.push(`${e.type} ${e.path.replace(/^\.\/(?=.)/, '')}`) });
    return names.sort();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('stripTopLevel', () => {
  it("drops GitHub's top-level directory and keeps files, directories and links", async () => {
    const archive = tarFixture([
      { path: 'o-r-abc1234/', type: 'Directory' },
      { path: 'o-r-abc1234/package.json', body: '{}' },
      { path: 'o-r-abc1234/src/a.js', body: 'x' },
      { path: 'o-r-abc1234/link.js', type: 'SymbolicLink', linkpath: 'src/a.js' },
    ]);
    expect(await entries(await stripTopLevel(archive))).toEqual([
      'Directory ./',
      'Directory src/',
      'File package.json',
      'File src/a.js',
      'SymbolicLink link.js',
    ]);
  });

  it('drops hard links and never writes outside its work directory', async () => {
    const archive = tarFixture([
      { path: 'top/ok.txt', body: 'ok' },
      { path: 'top/../../escape.txt', body: 'no' },
      { path: 'top/hard', type: 'Link', linkpath: '/etc/passwd' },
    ]);
    const names = await entries(await stripTopLevel(archive));
    expect(names).toContain('File ok.txt');
    expect(names.join('\n')).not.toContain('escape');
    expect(names.join('\n')).not.toContain('hard');
  });

  it('leaves out what the CLI never ships either: dependencies, build state, .env* but its templates', async () => {
    const archive = tarFixture([
      { path: 'o-r-abc1234/package.json', body: '{}' },
      { path: 'o-r-abc1234/node_modules/left/index.js', body: 'x' },
      { path: 'o-r-abc1234/.svelte-kit/generated/root.js', body: 'x' },
      { path: 'o-r-abc1234/.slipway/token', body: 'x' },
      { path: 'o-r-abc1234/.env', body: 'A=1' },
      { path: 'o-r-abc1234/apps/web/.env.production.local', body: 'A=1' },
      { path: 'o-r-abc1234/.env.sample', body: 'A=' },
      { path: 'o-r-abc1234/.env.template', body: 'A=' },
      { path: 'o-r-abc1234/src/routes/build/+page.svelte', body: 'x' },
      { path: 'o-r-abc1234/src/lib/environment.js', body: 'x' },
    ]);
    expect((await entries(await stripTopLevel(archive))).filter((name) => name.startsWith('File'))).toEqual([
      'File .env.sample',
      'File .env.template',
      'File package.json',
      'File src/lib/environment.js',
      'File src/routes/build/+page.svelte',
    ]);
  });

  it('refuses what is not a gzip tar, as a SourceFetchFailed', async () => {
    await expect(stripTopLevel(Buffer.from('<html>not a tarball</html>'))).rejects.toMatchObject({ name: 'SourceFetchFailed' });
  });
});

describe('GitHub App credentials (local)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-app-'));
  const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  // The local secret source, as a platform started without a GitHub App has it.
  let secretFiles: PrivateFilesConfig;
  beforeEach(() => {
    secretFiles = { files: {}, values: {} };
    bindSecretSource(privateFilesSecretSource(secretFiles));
  });
  afterEach(() => forgetGithubAppCredentials());

  it('reads the App id and a 0600 PEM file, and refuses a readable key file', async () => {
    const keyFile = join(dir, 'app.pem');
    writeFileSync(keyFile, pem, { mode: 0o600 });
    secretFiles.values = { 'github-app-id': '123' };
    secretFiles.files['github-app-private-key'] = keyFile;
    expect(await githubAppCredentials()).toEqual({ appId: '123', privateKey: readFileSync(keyFile, 'utf8') });
    forgetGithubAppCredentials();
    const open = join(dir, 'open.pem');
    writeFileSync(open, pem, { mode: 0o644 });
    secretFiles.files['github-app-private-key'] = open;
    await expect(githubAppCredentials()).rejects.toThrow('mode 0600');
  });

  it('says which variables are missing when no App is configured', async () => {
    await expect(githubAppCredentials()).rejects.toThrow('SLIPWAY_GITHUB_APP_ID and SLIPWAY_GITHUB_APP_KEY_FILE');
  });
});
