import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import dynalite from 'dynalite';
import S3rver from 's3rver';
import { CreateTableCommand, DynamoDBClient, ResourceInUseException, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import type { PlatformNames } from '../../../handlers/lib/config.js';

/** s3rver's built-in credentials; dynalite accepts any. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export interface LocalStorage {
  dynamoEndpoint: string;
  s3Endpoint: string;
  close(): Promise<void>;
}

/**
 * DynamoDB (dynalite) and S3 (s3rver) servers on loopback, data on disk under `dataDir`:
 * handlers reach them with the ordinary AWS SDK through AWS_ENDPOINT_URL_*.
 */
export async function startLocalStorage(dataDir: string, names: PlatformNames): Promise<LocalStorage> {
  const dynamoDir = join(dataDir, 'dynamodb');
  const s3Dir = join(dataDir, 's3');
  mkdirSync(dynamoDir, { recursive: true });
  mkdirSync(s3Dir, { recursive: true });

  const dynamo = dynalite({ path: dynamoDir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    dynamo.once('error', reject);
    dynamo.listen(0, '127.0.0.1', () => resolve());
  });
  const dynamoEndpoint = `http://127.0.0.1:${(dynamo.address() as AddressInfo).port}`;

  const s3 = new S3rver({
    address: '127.0.0.1',
    port: 0,
    directory: s3Dir,
    silent: true,
    configureBuckets: [names.sourceBucket, names.buildBucket, names.projectBucket].map((name) => ({ name })),
  });
  const s3Address = await s3.run();
  const s3Endpoint = `http://127.0.0.1:${s3Address.port}`;

  const client = new DynamoDBClient({ endpoint: dynamoEndpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS });
  try {
    await client.send(
      new CreateTableCommand({
        TableName: names.table,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  await waitUntilTableExists({ client, maxWaitTime: 30 }, { TableName: names.table });
  client.destroy();

  return {
    dynamoEndpoint,
    s3Endpoint,
    async close() {
      await s3.close();
      await new Promise<void>((resolve) => dynamo.close(() => resolve()));
    },
  };
}

/** The environment handlers read (as in Lambda), pointing the SDK at the local servers. */
export function handlerEnvironment(storage: LocalStorage, names: PlatformNames, files: { ticketKeyFile: string; routeCacheDir: string; envKeyFile?: string }): Record<string, string> {
  return {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_S3: storage.s3Endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: storage.dynamoEndpoint,
    SLIPWAY_S3_PATH_STYLE: '1',
    SLIPWAY_SOURCE_BUCKET: names.sourceBucket,
    SLIPWAY_BUILD_BUCKET: names.buildBucket,
    SLIPWAY_PROJECT_BUCKET: names.projectBucket,
    SLIPWAY_TABLE: names.table,
    SLIPWAY_TICKET_KEY_FILE: files.ticketKeyFile,
    SLIPWAY_ROUTE_CACHE_DIR: files.routeCacheDir,
    // The key project secrets are sealed with; beside the ticket key, hidden from builds like it.
    SLIPWAY_ENV_KEY_FILE: files.envKeyFile ?? join(dirname(files.ticketKeyFile), 'env.key'),
  };
}
