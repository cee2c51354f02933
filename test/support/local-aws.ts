import type { PipelineLimits } from '../../handlers/lib/limits.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { DEFAULT_NAMES } from '../../handlers/lib/config.js';
import { useProcessPlatform } from '../../handlers/lib/bindings/platform.js';
import { FileRouteCache } from '../../handlers/lib/bindings/route-cache/file.js';
import type { PrivateFilesConfig } from '../../handlers/lib/bindings/secret-source/private-files.js';
import type { ExecutionStarter, Platform } from '../../handlers/lib/bindings/types.js';
import { ensureLocalTicketKey, ticketKey } from '../../handlers/lib/ticket-key.js';
import { signTicket, type Operation } from '../../handlers/lib/ticket.js';
import { localPlatform, localS3Client } from '../../infra/local/bindings/platform.js';
import { stateMachineArnsByOperation } from '../../infra/local/engine/local-step-functions.js';
import { startLocalStorage, type LocalStorage } from '../../infra/local/storage/local-storage.js';

export interface TestAws {
  dir: string;
  storage: LocalStorage;
  s3: S3Client;
  /** The platform the test's handlers run in (the process's platform); a test may change its settings. */
  platform: Platform;
  /** Where its secrets are: a test points a secret at its own file here. */
  secretFiles: PrivateFilesConfig;
  routeCacheDir: string;
  close(): Promise<void>;
}

/** Until a test starts an engine (startApiHarness does), starting an execution fails saying so. */
const NO_ENGINE: ExecutionStarter = {
  get client(): SFNClient {
    throw new Error('this test started no Step Functions engine');
  },
  stateMachines: stateMachineArnsByOperation(),
};

/**
 * The local AWS-API servers in a temp dir, and a platform on them made the way `slipway up` makes
 * its own, bound as the process's platform: handlers run in the test process, like the platform runs them.
 */
export async function startTestAws(): Promise<TestAws> {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-test-'));
  const storage = await startLocalStorage(join(dir, 'data'), DEFAULT_NAMES);
  const keyFile = join(dir, 'secrets', 'ticket.key');
  await ensureLocalTicketKey(keyFile);
  const envKeyFile = join(dir, 'secrets', 'env.key');
  await ensureLocalTicketKey(envKeyFile);
  const secretFiles: PrivateFilesConfig = { files: { 'ticket-key': keyFile, 'env-key': envKeyFile }, values: {} };
  const routeCacheDir = join(dir, 'route-cache');
  const platform = localPlatform({
    storage,
    names: DEFAULT_NAMES,
    executions: NO_ENGINE,
    secretFiles,
    routeCache: new FileRouteCache(routeCacheDir),
    // DNS as a name without records answers it: tests stay offline, and one that needs a domain
    // proof binds its own resolver (platform.txtResolver).
    txtResolver: { resolveTxt: async () => [] },
  });
  useProcessPlatform(platform);
  const s3 = localS3Client(storage);
  return {
    dir,
    storage,
    s3,
    platform,
    secretFiles,
    routeCacheDir,
    async close() {
      s3.destroy();
      platform.objectStore.destroy();
      platform.table.destroy();
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
