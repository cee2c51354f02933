import { describe, expect, it } from 'vitest';
import { secretsManagerSecretSource } from '../../../handlers/lib/bindings/secret-source/secrets-manager.js';
import { SecretNotConfigured } from '../../../handlers/lib/bindings/types.js';
import { awsSecretSource } from '../../../infra/aws/runtime/secret-source.js';
import { stubbedSecretsManager } from '../../support/stub-secrets-manager.js';

const GITHUB_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:slipway/github-app-AbCdEf';
const TICKET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:slipway/ticket-AbCdEf';

describe('the Secrets Manager SecretSource', () => {
  it('reads a platform key from the secret its ARN names, as stored', async () => {
    const { client, asked } = stubbedSecretsManager({ [TICKET_ARN]: 'a2V5LW1hdGVyaWFs\n' });
    const source = secretsManagerSecretSource({ client, arns: { ticketKey: TICKET_ARN } });
    expect(await source.read('ticket-key')).toBe('a2V5LW1hdGVyaWFs\n');
    expect(asked).toEqual([TICKET_ARN]);
  });

  it('says a secret without an ARN is not configured, without calling Secrets Manager (local mode, or a function not granted it)', async () => {
    const { client, asked } = stubbedSecretsManager({});
    const source = secretsManagerSecretSource({ client, arns: { ticketKey: TICKET_ARN } });
    await expect(source.read('session-key')).rejects.toBeInstanceOf(SecretNotConfigured);
    await expect(source.read('github-webhook-secret')).rejects.toBeInstanceOf(SecretNotConfigured);
    expect(asked).toEqual([]);
  });

  it('names the secret that has no SecretString', async () => {
    const { client } = stubbedSecretsManager({});
    const source = secretsManagerSecretSource({
      client,
      arns: { adminToken: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:admin' },
    });
    await expect(source.read('admin-token')).rejects.toThrow('the admin token secret has no SecretString');
  });
});

describe('the GitHub App JSON secret', () => {
  it('gives the field a caller asks for, from the secret the ARN names (a numeric App id as text)', async () => {
    const { client, asked } = stubbedSecretsManager({
      [GITHUB_ARN]: JSON.stringify({ appId: 1, webhookSecret: 'hook-secret', oauthClientId: 'Ov23li' }),
    });
    const source = secretsManagerSecretSource({ client, arns: { github: GITHUB_ARN } });
    expect(await source.read('github-webhook-secret')).toBe('hook-secret');
    expect(await source.read('github-app-id')).toBe('1');
    expect(await source.read('github-oauth-client-id')).toBe('Ov23li');
    expect(asked).toEqual([GITHUB_ARN, GITHUB_ARN, GITHUB_ARN]);
  });

  it('names the missing or malformed field, and says when the secret is not JSON', async () => {
    const malformed = stubbedSecretsManager({ [GITHUB_ARN]: JSON.stringify({ webhookSecret: '' }) });
    await expect(
      secretsManagerSecretSource({ client: malformed.client, arns: { github: GITHUB_ARN } }).read('github-webhook-secret'),
    ).rejects.toThrow('the GitHub App secret field webhookSecret is invalid (the webhook secret)');
    await expect(
      secretsManagerSecretSource({ client: malformed.client, arns: { github: GITHUB_ARN } }).read('github-app-private-key'),
    ).rejects.toThrow('the GitHub App secret field privateKey is invalid (the App credentials)');
    const notJson = stubbedSecretsManager({ [GITHUB_ARN]: 'appId=1' });
    await expect(
      secretsManagerSecretSource({ client: notJson.client, arns: { github: GITHUB_ARN } }).read('github-webhook-secret'),
    ).rejects.toThrow('the GitHub App secret is not a JSON document');
  });
});

describe('the AWS resolver', () => {
  it('takes each ARN from the variable CDK sets, and nothing else', async () => {
    const source = awsSecretSource({ SLIPWAY_TICKET_SECRET_ARN: TICKET_ARN });
    await expect(source.read('env-key')).rejects.toBeInstanceOf(SecretNotConfigured);
    await expect(source.read('admin-token')).rejects.toBeInstanceOf(SecretNotConfigured);
    await expect(source.read('github-app-id')).rejects.toBeInstanceOf(SecretNotConfigured);
  });
});
