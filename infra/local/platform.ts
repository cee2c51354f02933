import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { Hono } from 'hono';
import { DEFAULT_NAMES } from '../../handlers/lib/config.js';
import { ensureLocalTicketKey } from '../../handlers/lib/ticket-key.js';
import { ensureLocalKey } from '../../handlers/lib/platform-key.js';
import { runtimeEnvironment } from '../../handlers/lib/project-settings/runtime-env.js';
import { createApiApp } from '../../handlers/api/app.js';
import { FileRouteCache } from '../../router/route-cache/file-route-cache.js';
import { createRouter } from '../../router/lambda/handler.js';
import { createEdgeServer } from '../../router/edge/server.js';
import { createSandboxRunner } from './batch/sandbox.js';
import { buildLogAppender } from './batch/build-log-append.js';
import { capMechanism } from './sandbox/cap-mechanism.js';
import { reapStaleSandboxes } from './sandbox/reap-stale.js';
import { createFunctionHost } from './function-host/index.js';
import { LocalStepFunctions, stateMachineArn } from './engine/local-step-functions.js';
import { createSfnApiServer } from './engine/sfn-api-server.js';
import { synthesizeWorkflows } from './engine/synthesized-workflows.js';
import { localCloudFormation } from './cloudformation.js';
import { handlerEnvironment, LOCAL_CREDENTIALS, startLocalStorage } from './storage/local-storage.js';
import { dashboardPlaceholder } from './dashboard-placeholder.js';

export interface PlatformOptions {
  home: string;
  port: number;
  /** Called with each line a build job prints (the CLI and the dashboard read logs from S3 instead). */
  onBuildLog?: (job: string, line: string) => void;
}

export interface RunningPlatform {
  url: string;
  apiUrl: string;
  port: number;
  adminTokenFile: string;
  engine: LocalStepFunctions;
  close(): Promise<void>;
}

/** The registry npm is configured with here, handed to sandboxed installs (never hard-coded). */
function npmRegistry(): string | undefined {
  if (process.env.npm_config_registry) return process.env.npm_config_registry;
  try {
    return execFileSync('npm', ['config', 'get', 'registry'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

function ensureAdminToken(file: string): void {
  if (existsSync(file)) return;
  writeFileSync(file, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
}

/**
 * `slipway up`: the whole platform on one machine. Storage servers, the Step Functions engine
 * running the synthesized definitions, the build sandbox, the function host, and the edge.
 */
export async function startPlatform(options: PlatformOptions): Promise<RunningPlatform> {
  const home = options.home;
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const names = DEFAULT_NAMES;
  const storage = await startLocalStorage(join(home, 'data'), names);
  const secretsDir = join(home, 'secrets');
  const ticketKeyFile = join(secretsDir, 'ticket.key');
  await ensureLocalTicketKey(ticketKeyFile);
  const sessionKeyFile = join(secretsDir, 'session.key');
  await ensureLocalKey(sessionKeyFile);
  const envKeyFile = join(secretsDir, 'env.key');
  await ensureLocalKey(envKeyFile);
  const adminTokenFile = join(home, 'admin.token');
  ensureAdminToken(adminTokenFile);

  const routeCacheDir = join(home, 'route-cache');
  // Handlers run in this process and configure themselves from the environment, as in Lambda.
  Object.assign(process.env, {
    ...handlerEnvironment(storage, names, { ticketKeyFile, routeCacheDir, envKeyFile }),
    SLIPWAY_ADMIN_TOKEN_FILE: adminTokenFile,
    SLIPWAY_SESSION_KEY_FILE: sessionKeyFile,
    SLIPWAY_STATE_MACHINE_BUILD_DEPLOY: stateMachineArn('slipway-build-and-deploy'),
    SLIPWAY_STATE_MACHINE_INIT_PROJECT: stateMachineArn('slipway-init-project'),
    SLIPWAY_STATE_MACHINE_DELETE_PROJECT: stateMachineArn('slipway-delete-project'),
    SLIPWAY_STATE_MACHINE_ROLLBACK: stateMachineArn('slipway-rollback'),
  });
  delete process.env.SLIPWAY_TICKET_SECRET_ARN;
  delete process.env.SLIPWAY_SESSION_SECRET_ARN;

  // Sandboxes a platform killed without closing left running; and this machine's cap mechanism.
  reapStaleSandboxes();
  process.stderr.write(`slipway: sandbox caps use ${capMechanism() === 'cgroup' ? 'cgroups (memory, pids, cpu) and rlimits (CPU time)' : 'rlimits only (CPU time, processes, data size, file size)'}\n`);

  const s3 = new S3Client({ forcePathStyle: true });
  // Each deployment's function starts with the runtime variables it was built with.
  const functionHost = createFunctionHost({ stateDir: home, projectBucket: names.projectBucket, s3, environment: runtimeEnvironment });
  const registry = npmRegistry();
  const runBuildJob = createSandboxRunner({
    workRoot: join(home, 'builds'),
    hiddenPaths: [home],
    baseEnvironment: {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_S3: storage.s3Endpoint,
      SLIPWAY_S3_PATH_STYLE: '1',
      SLIPWAY_BUILD_BUCKET: names.buildBucket,
      ...(registry ? { npm_config_registry: registry } : {}),
    },
    // The sandbox has no route to the platform's loopback: S3 comes over a Unix socket.
    s3Endpoint: storage.s3Endpoint,
    appendBuildLog: buildLogAppender(s3, names.buildBucket),
    onLog: options.onBuildLog,
  });

  const engine = await LocalStepFunctions.create(
    synthesizeWorkflows(),
    { runBuildJob, cloudformation: localCloudFormation(functionHost) },
    join(home, 'executions'),
  );
  const sfnServer = createSfnApiServer(engine);
  await new Promise<void>((resolve) => sfnServer.listen(0, '127.0.0.1', resolve));
  process.env.AWS_ENDPOINT_URL_SFN = `http://127.0.0.1:${(sfnServer.address() as AddressInfo).port}`;

  const platformApp = new Hono();
  const api = createApiApp();
  platformApp.all('/api/*', (c) => api.fetch(c.req.raw));
  platformApp.get('/', (c) => c.html(dashboardPlaceholder(options.port)));

  const routeCache = new FileRouteCache(routeCacheDir);
  const edge = await createEdgeServer({
    port: options.port,
    platform: (request) => platformApp.fetch(request),
    routeLookup: (key) => routeCache.getSync(key),
    s3,
    projectBucket: names.projectBucket,
    // Locally a deployment id is its function version: a preview qualifier names the same deployment.
    router: createRouter({ invoke: (project, deploymentId, event) => functionHost.invoke(project, deploymentId, event) }),
  });

  const url = `http://localhost:${edge.port}/`;
  process.env.SLIPWAY_TENANT_URL_TEMPLATE = `http://{project}.localhost:${edge.port}/`;
  const apiUrl = `http://localhost:${edge.port}/api/v1`;
  const platformFile = join(home, 'platform.json');
  writeFileSync(platformFile, `${JSON.stringify({ url, apiUrl, port: edge.port, pid: process.pid }, null, 2)}\n`);

  let closed = false;
  return {
    url,
    apiUrl,
    port: edge.port,
    adminTokenFile,
    engine,
    async close() {
      if (closed) return;
      closed = true;
      // Only remove the file if it is still ours (another `up` may have replaced it).
      try {
        if ((JSON.parse(readFileSync(platformFile, 'utf8')) as { pid: number }).pid === process.pid) rmSync(platformFile);
      } catch {
        /* already gone */
      }
      await edge.close();
      await engine.close();
      await functionHost.close();
      await new Promise<void>((resolve) => sfnServer.close(() => resolve()));
      await storage.close();
    },
  };
}
