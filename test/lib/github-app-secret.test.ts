import { afterEach, describe, expect, it, vi } from 'vitest';
import * as v from 'valibot';

// Secrets Manager itself is mocked here (a unit test): what is under test is reading the one JSON secret.
const secretString = vi.fn<(arn: string, label: string) => Promise<string>>();
vi.mock('../../handlers/lib/secrets.js', async (original) => ({ ...(await original<typeof import('../../handlers/lib/secrets.js')>()), secretString }));
const { githubSecretFields } = await import('../../handlers/lib/github/app-secret.js');

const Webhook = v.object({ webhookSecret: v.pipe(v.string(), v.minLength(1)) });
const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:slipway/github-app-AbCdEf';

afterEach(() => {
  delete process.env.SLIPWAY_GITHUB_SECRET_ARN;
  secretString.mockReset();
});

describe('the GitHub App JSON secret', () => {
  it('is not read at all without SLIPWAY_GITHUB_SECRET_ARN (local mode)', async () => {
    expect(await githubSecretFields(Webhook, 'the webhook secret')).toBeUndefined();
    expect(secretString).not.toHaveBeenCalled();
  });

  it('gives the fields a caller asks for, from the secret the ARN names', async () => {
    process.env.SLIPWAY_GITHUB_SECRET_ARN = ARN;
    secretString.mockResolvedValue(JSON.stringify({ appId: '1', webhookSecret: 'hook-secret', oauthClientId: 'Ov23li' }));
    expect(await githubSecretFields(Webhook, 'the webhook secret')).toEqual({ webhookSecret: 'hook-secret' });
    expect(secretString).toHaveBeenCalledWith(ARN, 'the GitHub App secret');
  });

  it('names the missing or malformed field, and says when the secret is not JSON', async () => {
    process.env.SLIPWAY_GITHUB_SECRET_ARN = ARN;
    secretString.mockResolvedValue(JSON.stringify({ webhookSecret: '' }));
    await expect(githubSecretFields(Webhook, 'the webhook secret')).rejects.toThrow('the GitHub App secret field webhookSecret is invalid (the webhook secret)');
    secretString.mockResolvedValue('appId=1');
    await expect(githubSecretFields(Webhook, 'the webhook secret')).rejects.toThrow('the GitHub App secret is not a JSON document');
  });
});
