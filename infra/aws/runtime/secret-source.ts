import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { secretsManagerSecretSource } from '../../../handlers/lib/bindings/secret-source/secrets-manager.js';
import type { SecretSource } from '../../../handlers/lib/bindings/types.js';

/**
 * The AWS SecretSource: Secrets Manager, with the ARNs CDK sets in each function's environment
 * (read once, at cold start). A function without an ARN gets SecretNotConfigured for that secret.
 */
export function awsSecretSource(env: NodeJS.ProcessEnv = process.env): SecretSource {
  return secretsManagerSecretSource({
    client: new SecretsManagerClient({}),
    arns: {
      ticketKey: env.SLIPWAY_TICKET_SECRET_ARN,
      envKey: env.SLIPWAY_ENV_SECRET_ARN,
      sessionKey: env.SLIPWAY_SESSION_SECRET_ARN,
      adminToken: env.SLIPWAY_ADMIN_TOKEN_SECRET_ARN,
      github: env.SLIPWAY_GITHUB_SECRET_ARN,
    },
  });
}
