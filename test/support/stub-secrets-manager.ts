import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/**
 * A real SDK client whose requests stop in its own middleware stack, before any network: each
 * GetSecretValue answers `secrets[SecretId]` (no SecretString when absent). `asked` records the ids.
 */
export function stubbedSecretsManager(secrets: Record<string, string>): { client: SecretsManagerClient; asked: string[] } {
  const client = new SecretsManagerClient({ region: 'us-east-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' } });
  const asked: string[] = [];
  client.middlewareStack.add(
    () => async (args) => {
      const secretId = (args.input as { SecretId: string }).SecretId;
      asked.push(secretId);
      return { output: { $metadata: {}, SecretString: secrets[secretId] }, response: {} } as never;
    },
    { step: 'initialize', name: 'stubGetSecretValue' },
  );
  return { client, asked };
}
