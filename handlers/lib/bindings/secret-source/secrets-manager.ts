import * as v from 'valibot';
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretNotConfigured, type SecretName, type SecretSource } from '../types.js';

/** The ARNs of the platform's secrets; a function holds only those its role may read. */
export interface SecretsManagerConfig {
  client: SecretsManagerClient;
  arns: {
    ticketKey?: string;
    envKey?: string;
    sessionKey?: string;
    adminToken?: string;
    /** One JSON secret with the GitHub App's fields (appId, privateKey, webhookSecret, oauthClientId, oauthClientSecret). */
    github?: string;
  };
}

type PlainSecret = 'ticket-key' | 'env-key' | 'session-key' | 'admin-token';

const PLAIN: Record<PlainSecret, { arn: keyof SecretsManagerConfig['arns']; label: string }> = {
  'ticket-key': { arn: 'ticketKey', label: 'ticket secret' },
  'env-key': { arn: 'envKey', label: 'env secret key' },
  'session-key': { arn: 'sessionKey', label: 'session key' },
  'admin-token': { arn: 'adminToken', label: 'the admin token secret' },
};

const Text = v.pipe(v.string(), v.minLength(1));
/** GitHub shows the App id as a number; a JSON secret written by hand may hold either. */
const NumberOrText = v.union([v.pipe(v.number(), v.integer(), v.minValue(1), v.transform(String)), Text]);

/** Each GitHub name's field in the JSON secret, and what it is for (named in errors). */
const GITHUB_FIELDS: Record<
  Exclude<SecretName, PlainSecret>,
  { field: string; schema: v.GenericSchema<unknown, string>; purpose: string }
> = {
  'github-app-id': { field: 'appId', schema: NumberOrText, purpose: 'the App credentials' },
  'github-app-private-key': { field: 'privateKey', schema: Text, purpose: 'the App credentials' },
  'github-webhook-secret': { field: 'webhookSecret', schema: Text, purpose: 'the webhook secret' },
  'github-oauth-client-id': { field: 'oauthClientId', schema: Text, purpose: 'sign-in with GitHub' },
  'github-oauth-client-secret': { field: 'oauthClientSecret', schema: Text, purpose: 'sign-in with GitHub' },
};

function isPlain(name: SecretName): name is PlainSecret {
  return name in PLAIN;
}

/** The AWS back end: each secret from Secrets Manager, the GitHub ones as fields of one JSON secret. */
export function secretsManagerSecretSource(config: SecretsManagerConfig): SecretSource {
  async function secretString(secretArn: string, label: string): Promise<string> {
    const secret = await config.client.send(new GetSecretValueCommand({ SecretId: secretArn }));
    if (!secret.SecretString) throw new Error(`${label} has no SecretString`);
    return secret.SecretString;
  }

  return {
    async read(name) {
      if (isPlain(name)) {
        const { arn, label } = PLAIN[name];
        const secretArn = config.arns[arn];
        if (!secretArn) throw new SecretNotConfigured(name);
        return secretString(secretArn, label);
      }
      const secretArn = config.arns.github;
      if (!secretArn) throw new SecretNotConfigured(name);
      const { field, schema, purpose } = GITHUB_FIELDS[name];
      let document: unknown;
      try {
        document = JSON.parse(await secretString(secretArn, 'the GitHub App secret'));
      } catch (error) {
        if (error instanceof SyntaxError) throw new Error('the GitHub App secret is not a JSON document');
        throw error;
      }
      const result = v.safeParse(v.object({ [field]: schema }), document);
      if (!result.success)
        throw new Error(
          `the GitHub App secret field ${v.getDotPath(result.issues[0]) ?? '(root)'} is invalid (${purpose}): ${result.issues[0].message}`,
        );
      return (result.output as Record<string, string>)[field] as string;
    },
  };
}
