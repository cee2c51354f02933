import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_NAMES } from '../../handlers/lib/config.js';
import { ensureLocalTicketKey } from '../../handlers/lib/ticket-key.js';
import { ensureLocalKey } from '../../handlers/lib/platform-key.js';
import { runtimeEnvironment } from '../../handlers/lib/project-settings/runtime-env.js';
import { createApiApp } from '../../handlers/api/app.js';
import { failUnstartedDeployments } from '../../handlers/api/unstarted-deployments.js';
import { FileRouteCache } from '../../handlers/lib/bindings/route-cache/file.js';
import { createRouter } from '../../router/lambda/handler.js';
import { createEdgeServer } from './edge/server.js';
import { createSandboxRunner } from './batch/sandbox.js';
import { buildLogAppender } from '../../handlers/lib/build-log-append.js';
import { capMechanism, forceRlimitCaps } from './sandbox/cap-mechanism.js';
import { reapStaleSandboxes, reapStaleWorkspaces } from './sandbox/reap-stale.js';
import { createFunctionHost } from './function-host/index.js';
import { LocalStepFunctions } from './engine/local-step-functions.js';
import { startSfnApi } from './engine/sfn-api-server.js';
import { synthesizeWorkflowsCached, type SynthesizedPlatform } from './engine/synthesized-workflows.js';
import { reportRollout, startRolloutIfBehind } from './template-rollout-start.js';
import { localCloudFormation } from './cloudformation.js';
import { startLocalStorage } from './storage/local-storage.js';
import { createPlatformApp } from './platform-app.js';
import { claimStateDirectory } from './platform-lock.js';
import { assertPortFree } from './port-free.js';
import { type DeploymentTransition, watchDeploymentTransitions } from './deployment-transitions.js';
import { getDeploymentItem } from '../../handlers/lib/table/deployments.js';
import { getProjectItem, queryProjectItems } from '../../handlers/lib/table/projects.js';
import { tenantUrl, withBasePath } from '../../handlers/lib/tenant-url.js';
import { previewUrl } from '../../handlers/previews/alias.js';
import { runInPlatform } from '../../handlers/lib/bindings/platform.js';
import type { PrivateFilesConfig } from '../../handlers/lib/bindings/secret-source/private-files.js';
import type { GitHubUrls, Platform, TxtResolver } from '../../handlers/lib/bindings/types.js';
import { localExecutionStarter, localPlatform, localS3Client } from './bindings/platform.js';

export interface PlatformOptions {
  home: string;
  port: number;
  /** Called with each line a build job prints (the CLI and the dashboard read logs from S3 instead). */
  onBuildLog?: (job: string, line: string) => void;
  /** Crash tests only: kill the platform's process group when this state is entered (EngineOptions.killAtState). */
  killAtState?: { machine: string; state: string };
  /** The GitHub App's and sign-in's secrets (0600 files) and ids; the platform's own keys are made under `home`. */
  githubSecrets?: PrivateFilesConfig;
  /** A GitHub other than github.com (GitHub Enterprise, a test server). */
  github?: Partial<GitHubUrls>;
  /** The platform's public URL when a proxy changes the host (OAuth callbacks). */
  publicUrl?: string;
  /** `rlimit` caps sandboxes with rlimits alone even where cgroups exist (for the whole process). */
  sandboxCaps?: 'auto' | 'rlimit';
  /** Which X-Forwarded-For hop tenants see as the visitor (router/client-address.ts); default 1, the socket's address. */
  clientAddressDepth?: number;
  /** How long a function worker may sit idle before it stops (default 5 min; SLIPWAY_FUNCTION_IDLE_SECONDS). */
  functionIdleMs?: number;
  /** How many projects the route cache is shared among (Platform.routeCacheProjects); default 200. */
  routeCacheProjects?: number;
  /** How domain proofs are looked up (tests answer for DNS); by default node:dns with the system's resolvers. */
  txtResolver?: TxtResolver;
  /** Workflows synthesized already (tests share one synthesis); by default synthesized, cached under `home`. */
  workflows?: SynthesizedPlatform;
  /** Called with each status a deployment enters, and each rollback's start and end (the platform's own log). */
  onDeploymentTransition?: (transition: DeploymentTransition) => void;
}

/** A project's production deployment, as a restart lists it. */
export interface LiveProject {
  project: string;
  deploymentId: string;
  url: string | undefined;
}

export interface RunningPlatform {
  url: string;
  apiUrl: string;
  port: number;
  adminTokenFile: string;
  engine: LocalStepFunctions;
  /** Every project with a live deployment, by name. */
  liveProjects(): Promise<LiveProject[]>;
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

/** The engine's onProgress reporting deployment transitions, reading the table of `platform`. */
function transitionWatch(platform: () => Platform, report: (transition: DeploymentTransition) => void) {
  const productionUrl = async (project: string) => withBasePath(tenantUrl(project), (await getProjectItem(project))?.liveBasePath);
  return watchDeploymentTransitions({
    report,
    liveUrl: (project) => runInPlatform(platform(), () => productionUrl(project)),
    readDeployment: (project, deploymentId) =>
      runInPlatform(platform(), async () => {
        const deployment = await getDeploymentItem(project, deploymentId);
        if (!deployment) return undefined;
        if (deployment.status !== 'LIVE') return deployment;
        const url = deployment.preview ? previewUrl(project, deployment.preview) : await productionUrl(project);
        return { ...deployment, ...(url ? { url } : {}) };
      }),
  });
}

/**
 * `slipway up`: the whole platform on one machine. Storage servers, the Step Functions engine
 * running the synthesized definitions, the build sandbox, the function host, and the edge.
 */
export async function startPlatform(options: PlatformOptions): Promise<RunningPlatform> {
  mkdirSync(options.home, { recursive: true, mode: 0o700 });
  // Before anything opens the storage: a second platform on the same files would corrupt them.
  const release = claimStateDirectory(options.home);
  try {
    await assertPortFree(options.port);
    return await startClaimedPlatform(options, release);
  } catch (error) {
    release();
    throw error;
  }
}

async function startClaimedPlatform(options: PlatformOptions, release: () => void): Promise<RunningPlatform> {
  const home = options.home;
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

  // One store for the release step's writes and the edge's reads, in this process.
  const routeCache = new FileRouteCache(join(home, 'route-cache'));
  const secretFiles: PrivateFilesConfig = {
    files: {
      ...options.githubSecrets?.files,
      'ticket-key': ticketKeyFile,
      'env-key': envKeyFile,
      'session-key': sessionKeyFile,
      'admin-token': adminTokenFile,
    },
    values: { ...options.githubSecrets?.values },
  };
  // Made once the engine's Step Functions API listens; every handler of this platform runs inside it.
  let platform: Platform | undefined;
  const thisPlatform = (): Platform => {
    if (!platform) throw new Error('the platform is not started yet');
    return platform;
  };

  // Sandboxes a platform killed without closing left running; and this machine's cap mechanism.
  if (options.sandboxCaps === 'rlimit') forceRlimitCaps();
  reapStaleSandboxes();
  reapStaleWorkspaces(join(home, 'builds'));
  process.stderr.write(
    `slipway: sandbox caps use ${capMechanism() === 'cgroup' ? 'cgroups (memory, pids, cpu) and rlimits (CPU time)' : 'rlimits only (CPU time, processes, data size, file size)'}\n`,
  );

  const s3 = localS3Client(storage);
  // Each deployment's function starts with the runtime variables it was built with.
  const functionHost = createFunctionHost({
    stateDir: home,
    projectBucket: names.projectBucket,
    s3,
    ...(options.functionIdleMs ? { idleMs: options.functionIdleMs } : {}),
    // One worker started ahead, so a cold start does not wait for a sandbox and Node to start.
    spareWorkers: 1,
    environment: (project, deploymentId) => runInPlatform(thisPlatform(), () => runtimeEnvironment(project, deploymentId)),
  });
  const registry = npmRegistry();
  const runBuildJob = createSandboxRunner({
    workRoot: join(home, 'builds'),
    hiddenPaths: [home],
    baseEnvironment: {
      // No keys here: the job brings the scoped credentials *Scope build credentials* issued for it.
      AWS_REGION: 'us-east-1',
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

  const workflows = options.workflows ?? (await synthesizeWorkflowsCached(join(home, 'cache'), names));
  const cloudformation = localCloudFormation(functionHost, join(home, 'stacks.json'));
  const engine = await LocalStepFunctions.create(
    workflows,
    {
      runBuildJob,
      cloudformation,
      assumeRole: async (parameters) => storage.issuer.assumeRole(parameters),
      platform: thisPlatform,
    },
    join(home, 'executions'),
    {
      ...(options.killAtState ? { killAtState: options.killAtState } : {}),
      ...(options.onDeploymentTransition ? { onProgress: transitionWatch(thisPlatform, options.onDeploymentTransition) } : {}),
    },
  );
  const sfnApi = await startSfnApi(engine, storage.issuer);
  platform = localPlatform({
    storage,
    names,
    executions: localExecutionStarter(storage, sfnApi.endpoint),
    secretFiles,
    routeCache,
    ...(options.txtResolver ? { txtResolver: options.txtResolver } : {}),
    ...(options.routeCacheProjects ? { routeCacheProjects: options.routeCacheProjects } : {}),
    ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}),
    ...(options.github ? { github: options.github } : {}),
  });
  const bound = platform;
  const inThisPlatform = <T>(work: () => T): T => runInPlatform(bound, work);
  // Before the API can be reached: a QUEUED deployment without an execution now is a start the last run cut off.
  for (const deployment of await inThisPlatform(failUnstartedDeployments)) {
    process.stdout.write(`slipway: deployment ${deployment} was never started: FAILED\n`);
  }

  const platformApp = createPlatformApp(createApiApp());

  const edge = await createEdgeServer({
    port: options.port,
    platform: (request) => inThisPlatform(() => platformApp.fetch(request)),
    routeLookup: (key) => routeCache.getSync(key),
    s3,
    projectBucket: names.projectBucket,
    // Locally a deployment id is its function version: the router runs the one the pointer's
    // qualifier names (a bare pointer from before qualifiers names it by its deployment id).
    router: createRouter({
      invoke: (project, deploymentId, event, qualifier) =>
        inThisPlatform(() => functionHost.invoke(project, qualifier ?? deploymentId, event)),
      ...(options.clientAddressDepth ? { clientAddressDepth: options.clientAddressDepth } : {}),
    }),
  });

  const url = `http://localhost:${edge.port}/`;
  // Known once the edge listens (the port may be 0); no request has been handled before this line.
  bound.tenantUrlTemplate = `http://{project}.localhost:${edge.port}/`;
  // Executions the last run of the platform left RUNNING go on (or fail) before anything new starts.
  for (const { executionArn, plan, state } of engine.reconcile()) {
    process.stdout.write(`slipway: ${executionArn.split(':').at(-1) ?? executionArn} was cut off in ${state ?? 'its start'}: ${plan}\n`);
  }
  // Stacks changed before this version of the platform get its per-project template (as a platform update does on AWS).
  if (workflows.projectStackTemplateVersion) {
    const rollout = await startRolloutIfBehind(engine, cloudformation, workflows.projectStackTemplateVersion);
    if (rollout) reportRollout(engine, rollout);
  }

  const apiUrl = `http://localhost:${edge.port}/api/v1`;
  const platformFile = join(home, 'platform.json');
  // Written beside and renamed into place: the CLI (and anyone polling for it) never reads half a file.
  writeFileSync(`${platformFile}.${process.pid}.tmp`, `${JSON.stringify({ url, apiUrl, port: edge.port, pid: process.pid }, null, 2)}\n`);
  renameSync(`${platformFile}.${process.pid}.tmp`, platformFile);

  let closed = false;
  return {
    url,
    apiUrl,
    port: edge.port,
    adminTokenFile,
    engine,
    liveProjects: () =>
      inThisPlatform(async () =>
        (await queryProjectItems())
          .filter((project) => project.liveDeploymentId !== undefined)
          .map((project) => ({
            project: project.name,
            deploymentId: project.liveDeploymentId as string,
            url: withBasePath(tenantUrl(project.name), project.liveBasePath),
          }))
          .sort((a, b) => a.project.localeCompare(b.project)),
      ),
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
      await runBuildJob.cleanedUp();
      await functionHost.close();
      await sfnApi.close();
      await storage.close();
      s3.destroy();
      bound.objectStore.destroy();
      bound.table.destroy();
      bound.executions.client.destroy();
      release();
    },
  };
}
