import type { PipelineLimits } from '../../handlers/lib/limits.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DEFAULT_NAMES } from '../../handlers/lib/config.js';
import { ensureLocalTicketKey, ticketKey } from '../../handlers/lib/ticket-key.js';
import { signTicket, type Operation } from '../../handlers/lib/ticket.js';
import { handlerEnvironment, startLocalStorage, type LocalStorage } from '../../infra/local/storage/local-storage.js';

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
  await ensureLocalTicketKey(join(dir, 'secrets', 'env.key'));
  Object.assign(
    process.env,
    handlerEnvironment(storage, DEFAULT_NAMES, { ticketKeyFile: keyFile, routeCacheDir: join(dir, 'route-cache') }),
  );
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
export async function ticketFor(
  op: Operation,
  project: string,
  executionName: string,
  extra: { limits?: PipelineLimits; preview?: string; deploymentId?: string } = {},
): Promise<string> {
  return signTicket({ op, project, user: 'test', source: 'test', destination: 'test', executionName, ...extra }, await ticketKey());
}

export async function putObject(s3: S3Client, bucket: string, key: string, body: Buffer | string): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
}
