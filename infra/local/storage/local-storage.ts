import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import dynalite from 'dynalite';
import S3rver from 's3rver';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { PlatformNames } from '../../../handlers/lib/config.js';
import { LocalCredentialIssuer } from '../auth/credential-issuer.js';
import { startSigV4Gate } from '../auth/sigv4-gate.js';
import { closeDynaliteIterators } from './dynalite-iterators.js';
import { ensurePlatformTable } from './platform-table.js';

export interface LocalStorage {
  /** The SigV4 gates' endpoints (the servers themselves are reachable only through them). */
  dynamoEndpoint: string;
  s3Endpoint: string;
  /** Holds the keys the gates accept: the platform's own, and the build credentials it issues. */
  issuer: LocalCredentialIssuer;
  close(): Promise<void>;
}

/**
 * DynamoDB (dynalite) and S3 (s3rver) servers on loopback, data on disk under `dataDir`, each
 * behind a SigV4 gate that accepts only keys `issuer` holds (dynalite and s3rver accept any):
 * handlers reach them with the ordinary AWS SDK, given the gates' endpoints (infra/local/bindings/platform.ts).
 */
export async function startLocalStorage(
  dataDir: string,
  names: PlatformNames,
  issuer = new LocalCredentialIssuer(),
): Promise<LocalStorage> {
  const dynamoDir = join(dataDir, 'dynamodb');
  const s3Dir = join(dataDir, 's3');
  mkdirSync(dynamoDir, { recursive: true });
  mkdirSync(s3Dir, { recursive: true });

  closeDynaliteIterators();
  const dynamo = dynalite({ path: dynamoDir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    dynamo.once('error', reject);
    dynamo.listen(0, '127.0.0.1', () => resolve());
  });
  const dynamoGate = await startSigV4Gate({
    service: 'dynamodb',
    upstream: { host: '127.0.0.1', port: (dynamo.address() as AddressInfo).port },
    issuer,
  });

  const s3 = new S3rver({
    address: '127.0.0.1',
    port: 0,
    directory: s3Dir,
    silent: true,
    configureBuckets: [names.sourceBucket, names.buildBucket, names.projectBucket].map((name) => ({ name })),
  });
  const s3Address = await s3.run();
  const s3Gate = await startSigV4Gate({ service: 's3', upstream: { host: '127.0.0.1', port: s3Address.port }, issuer });

  const client = new DynamoDBClient({ endpoint: dynamoGate.endpoint, region: 'us-east-1', credentials: issuer.platform });
  await ensurePlatformTable(client, names.table, join(dataDir, 'dynamodb-migration.json'));
  client.destroy();

  return {
    dynamoEndpoint: dynamoGate.endpoint,
    s3Endpoint: s3Gate.endpoint,
    issuer,
    async close() {
      await Promise.all([dynamoGate.close(), s3Gate.close()]);
      await s3.close();
      await new Promise<void>((resolve) => dynamo.close(() => resolve()));
    },
  };
}
