import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DEFAULT_NAMES } from '../../handlers/lib/config.js';
import { ensureLocalTicketKey, ticketKey } from '../../handlers/lib/ticket-key.js';
import { signTicket, type Operation } from '../../handlers/lib/ticket.js';
import { LOCAL_CREDENTIALS, startLocalStorage, type LocalStorage } from '../../infra/local/storage/local-storage.js';

export interface TestAws {
  dir: string;
  storage: LocalStorage;
  s3: S3Client;
  close(): Promise<void>;
}

/**
 * The local AWS-API servers in a temp dir, with the environment handlers read from, as
 * `slipway up` sets it. Handlers run in the test process, like the platform runs them.
 */
export async function startTestAws(): Promise<TestAws> {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-test-'));
  const storage = await startLocalStorage(join(dir, 'data'), DEFAULT_NAMES);
  const keyFile = join(dir, 'secrets', 'ticket.key');
  await ensureLocalTicketKey(keyFile);
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_S3: storage.s3Endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: storage.dynamoEndpoint,
    SLIPWAY_S3_PATH_STYLE: '1',
    SLIPWAY_SOURCE_BUCKET: DEFAULT_NAMES.sourceBucket,
    SLIPWAY_BUILD_BUCKET: DEFAULT_NAMES.buildBucket,
    SLIPWAY_PROJECT_BUCKET: DEFAULT_NAMES.projectBucket,
    SLIPWAY_TABLE: DEFAULT_NAMES.table,
    SLIPWAY_TICKET_KEY_FILE: keyFile,
    SLIPWAY_ROUTE_CACHE_DIR: join(dir, 'route-cache'),
  });
  const s3 = new S3Client({ forcePathStyle: true });
  return {
    dir,
    storage,
    s3,
    async close() {
      s3.destroy();
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A ticket as the API would sign it for one execution. */
export async function ticketFor(op: Operation, project: string, executionName: string): Promise<string> {
  return signTicket({ op, project, user: 'test', source: 'test', destination: 'test', executionName }, await ticketKey());
}

export async function putObject(s3: S3Client, bucket: string, key: string, body: Buffer | string): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
}
