import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { privateFilesSecretSource } from '../../../handlers/lib/bindings/secret-source/private-files.js';
import { SecretNotConfigured } from '../../../handlers/lib/bindings/types.js';
import { operatorSettings } from '../../../infra/local/operator-settings.js';

const dir = mkdtempSync(join(tmpdir(), 'slipway-secret-files-'));

describe('the local 0600-file SecretSource', () => {
  it('reads a 0600 file as stored, and an identifier from its plain value', async () => {
    const file = join(dir, 'session.key');
    writeFileSync(file, 'c2Vzc2lvbi1rZXk=\n', { mode: 0o600 });
    const source = privateFilesSecretSource({ files: { 'session-key': file }, values: { 'github-app-id': '42' } });
    expect(await source.read('session-key')).toBe('c2Vzc2lvbi1rZXk=\n');
    expect(await source.read('github-app-id')).toBe('42');
  });

  it('refuses a file others can read, naming the file and its mode', async () => {
    const file = join(dir, 'webhook.secret');
    writeFileSync(file, 'hook-secret');
    chmodSync(file, 0o644);
    const source = privateFilesSecretSource({ files: { 'github-webhook-secret': file } });
    await expect(source.read('github-webhook-secret')).rejects.toThrow('the GitHub webhook secret file must have mode 0600, has 644');
  });

  it('fails on a configured file that does not exist, and says an unconfigured secret is not configured', async () => {
    const source = privateFilesSecretSource({ files: { 'ticket-key': join(dir, 'missing.key') } });
    await expect(source.read('ticket-key')).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(source.read('env-key')).rejects.toBeInstanceOf(SecretNotConfigured);
  });
});

describe("the operator's settings for slipway up", () => {
  it('map the GitHub variables to files and plain identifiers, skip empty ones, and ignore the platform-made keys', () => {
    const settings = operatorSettings({
      SLIPWAY_TICKET_KEY_FILE: '/state/ticket.key',
      SLIPWAY_GITHUB_APP_ID: '7',
      SLIPWAY_GITHUB_APP_KEY_FILE: '/state/app.pem',
      SLIPWAY_GITHUB_WEBHOOK_SECRET_FILE: '',
      SLIPWAY_GITHUB_API_URL: 'http://127.0.0.1:9000',
      SLIPWAY_SANDBOX_CAPS: 'rlimit',
    });
    expect(settings).toEqual({
      githubSecrets: { files: { 'github-app-private-key': '/state/app.pem' }, values: { 'github-app-id': '7' } },
      github: { apiUrl: 'http://127.0.0.1:9000' },
      sandboxCaps: 'rlimit',
    });
  });
});
