import { spawn, spawnSync } from 'node:child_process';
import { existsSync, statSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { packSource } from '../../cli/pack-source.js';
import { startBareS3 } from '../support/bare-s3.js';

// The test's own SDK clients: keep the Node support notice out of the output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const MAIN = join(ROOT, 'dist', 'buildrunner', 'main.js');
export const SOURCE_BUCKET = 'slipway-sources';
export const BUILD_BUCKET = 'slipway-builds';
export const FAKE_TICKET = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJvcCI6ImJ1aWxkLWRlcGxveSJ9.dGVzdC1zaWduYXR1cmUtdGhhdC1tdXN0LW5vdC1sZWFr';

/** Builds dist/ when the runner's compiled files are missing or older than their sources. */
export function ensureCompiled(): void {
  const newest = (dir: string): number =>
    Math.max(
      0,
      ...readdirSync(dir, { withFileTypes: true }).map((e) =>
        e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs,
      ),
    );
  if (existsSync(MAIN) && newest(join(ROOT, 'dist', 'buildrunner')) >= newest(join(ROOT, 'buildrunner'))) return;
  // Other parts of the tree may not type-check mid-change; tsc still emits, so only the output counts.
  spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], {
    cwd: ROOT,
    stdio: 'ignore',
  });
  if (!existsSync(MAIN)) throw new Error('dist/buildrunner/main.js is missing: run npm run build');
}

export interface LocalS3 {
  endpoint: string;
  client: S3Client;
  stop(): Promise<void>;
}

export async function startS3(): Promise<LocalS3> {
  const directory = await mkdtemp(join(tmpdir(), 'slipway-s3rver-'));
  const bare = await startBareS3(directory, [SOURCE_BUCKET, BUILD_BUCKET]);
  return {
    endpoint: bare.endpoint,
    client: bare.s3,
    async stop() {
      await bare.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** Packs an app folder as the CLI does (cli/pack-source.ts: what git would track) and stores it as a source archive. */
export async function uploadSource(s3: LocalS3, appDir: string, key: string): Promise<void> {
  const { archive } = await packSource(appDir);
  await s3.client.send(new PutObjectCommand({ Bucket: SOURCE_BUCKET, Key: key, Body: archive }));
}

export async function getObject(s3: LocalS3, bucket: string, key: string): Promise<Buffer> {
  const response = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await response.Body!.transformToByteArray());
}

export async function listKeys(s3: LocalS3, prefix: string, startAfter?: string): Promise<string[]> {
  const page = await s3.client.send(new ListObjectsV2Command({ Bucket: BUILD_BUCKET, Prefix: prefix, StartAfter: startAfter }));
  return (page.Contents ?? []).map((o) => o.Key!).sort();
}

/** The whole stored log of a build, chunks in order. */
export async function readLog(s3: LocalS3, buildId: string): Promise<{ chunks: string[]; text: string }> {
  const chunks = await listKeys(s3, `builds/${buildId}/log/`);
  const bodies = await Promise.all(chunks.map((key) => getObject(s3, BUILD_BUCKET, key)));
  return { chunks, text: bodies.map((b) => b.toString('utf8')).join('') };
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** How many log chunks a reader polling with StartAfter saw before the runner exited. */
  chunksSeenWhileRunning: number;
}

export async function runRunner(
  s3: LocalS3,
  env: Record<string, string>,
  options: { timeoutMs?: number /** Sends SIGTERM once stdout contains this text. */; stopWhen?: string } = {},
): Promise<RunResult> {
  const workspace = await mkdtemp(join(tmpdir(), 'slipway-ws-'));
  const child = spawn(process.execPath, [MAIN], {
    cwd: workspace,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '',
      HOME: workspace,
      LANG: 'C.UTF-8',
      ...(process.env.npm_config_registry ? { npm_config_registry: process.env.npm_config_registry } : {}),
      ...(process.env.npm_config_cache ? { npm_config_cache: process.env.npm_config_cache } : {}),
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      SLIPWAY_S3_PATH_STYLE: '1',
      // The job is given no ticket any more; a stray one in its environment must still reach neither the app nor the log.
      SLIPWAY_TICKET: FAKE_TICKET,
      SLIPWAY_SOURCE_BUCKET: SOURCE_BUCKET,
      SLIPWAY_BUILD_BUCKET: BUILD_BUCKET,
      ...env,
    },
  });
  let stdout = '';
  let stderr = '';
  let stopSent = false;
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
    if (options.stopWhen && !stopSent && stdout.includes(options.stopWhen)) {
      stopSent = true;
      child.kill('SIGTERM');
    }
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  let running = true;
  let seen = 0;
  const poll = (async () => {
    let last: string | undefined;
    while (running) {
      const keys = await listKeys(s3, `builds/${env.SLIPWAY_BUILD_ID}/log/`, last).catch(() => []);
      if (running && keys.length > 0) {
        seen += keys.length;
        last = keys[keys.length - 1];
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  running = false;
  clearTimeout(timer);
  await poll;
  await rm(workspace, { recursive: true, force: true });
  return { code, stdout, stderr, chunksSeenWhileRunning: seen };
}
