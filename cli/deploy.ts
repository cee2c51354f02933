import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiCallError, type ApiClient } from './api-client.js';
import { realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { preflight } from './preflight.js';
import { findWorkspace } from '../buildrunner/runner/workspace.js';
import { packSource } from './pack-source.js';
import { followLogStream } from './sse.js';
import { describeLeftOut, gitTop } from './source-files.js';

interface Project {
  name: string;
  status: string;
  failedState?: string;
  error?: string;
  cause?: string;
}

export interface Deployment {
  id: string;
  status: string;
  /** The preview alias, for a preview deployment. */
  preview?: string;
  /** Where it answers once live (the API knows the platform's tenant domain). */
  url?: string;
  failedState?: string;
  error?: string;
  cause?: string;
  cancelledBy?: string;
}

export interface DeployOptions {
  dir: string;
  project: string;
  /** Deploy as the preview ALIAS (`<project>--<alias>`) instead of production. */
  preview?: string;
  /** Each chunk of build log as it arrives. */
  onLog?: (text: string) => void;
  onStep?: (message: string) => void;
  /** The pipeline state the deployment's execution is in, polled while it runs. */
  onState?: (state: string) => void;
  pollMs?: number;
  /**
   * Check that DIR is a SvelteKit app before anything is created (default on). Off only for the
   * benchmark's copy-only app, which is the output of a SvelteKit build rather than its source.
   */
  preflight?: boolean;
}

export class DeployFailed extends Error {
  constructor(
    readonly deployment: Deployment,
    message: string,
  ) {
    super(message);
  }
}

/** The checkout's HEAD commit, when DIR is a git checkout and git is installed; the execution name shows it. */
function gitCommit(dir: string): string | undefined {
  try {
    const head = execFileSync('git', ['-C', dir, 'rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return /^[0-9a-f]{40}$/.test(head) ? head : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What to upload for DIR: DIR itself, or the root of the workspace (monorepo) it is a package of,
 * with DIR's path inside it as the deployment's root directory, so the build installs with the
 * workspace's lockfile. A workspace does not reach above the git repository DIR is in.
 */
export async function sourceRoot(dir: string): Promise<{ root: string; rootDirectory?: string }> {
  const app = await realpath(dir).catch(() => dir);
  const workspace = await findWorkspace(app, await gitTop(app));
  return workspace ? { root: workspace.root, rootDirectory: workspace.app } : { root: dir };
}

/** Creates the project when it does not exist, and waits until it is READY. */
export async function ensureProject(api: ApiClient, name: string, options: Pick<DeployOptions, 'onStep' | 'pollMs'> = {}): Promise<void> {
  let project: Project;
  try {
    project = (await api.get<{ project: Project }>(`/projects/${name}`)).project;
  } catch (error) {
    if (!(error instanceof ApiCallError && error.status === 404)) throw error;
    options.onStep?.(`creating project ${name}`);
    project = (await api.post<{ project: Project }>('/projects', { name })).project;
  }
  while (project.status === 'CREATING') {
    await sleep(options.pollMs ?? 300);
    project = (await api.get<{ project: Project }>(`/projects/${name}`)).project;
  }
  if (project.status !== 'READY') {
    const reason = project.failedState ? ` (${project.failedState}: ${project.error ?? ''} ${project.cause ?? ''})` : '';
    throw new Error(`project ${name} is ${project.status}${reason}`);
  }
}

/**
 * Prints the deployment's build log until the deployment ends: from the log's server-sent events,
 * which say at once when it ends; if the stream cannot be opened or breaks, by polling the log
 * route from the last chunk printed, so nothing is printed twice.
 */
export async function followDeploymentLog(
  api: ApiClient,
  options: Pick<DeployOptions, 'project' | 'onLog' | 'pollMs'>,
  id: string,
): Promise<void> {
  const path = `/projects/${options.project}/deployments/${id}/logs`;
  let cursor: string | null = null;
  try {
    await followLogStream(
      (lastEventId) => api.stream(`${path}/stream`, lastEventId ? { 'last-event-id': lastEventId } : {}),
      (text, eventId) => {
        if (text) options.onLog?.(text);
        if (eventId !== undefined) cursor = eventId;
      },
    );
    return;
  } catch {
    // The platform has no stream route, or the stream broke: the cursor route says the same, polled.
  }
  for (;;) {
    const query: string = cursor ? `?cursor=${encodeURIComponent(cursor)}` : '';
    const logs: { text: string; cursor: string | null; done: boolean } = await api.get(`${path}${query}`);
    if (logs.text) options.onLog?.(logs.text);
    cursor = logs.cursor;
    if (logs.done) return;
    await sleep(options.pollMs ?? 300);
  }
}

/** Push to live: pack, upload, start build-and-deploy, follow the log until the deployment ends. */
export async function deployDirectory(api: ApiClient, options: DeployOptions): Promise<Deployment> {
  // A bad directory fails before anything is created on the platform.
  const { root, rootDirectory } = await sourceRoot(options.dir);
  const settings = await projectSettings(api, options.project);
  if (options.preflight !== false)
    await preflight(
      settings?.rootDirectory && !rootDirectory ? join(options.dir, settings.rootDirectory) : options.dir,
      async () => settings?.buildCommand ?? undefined,
    );
  if (rootDirectory) options.onStep?.(`${rootDirectory} is a workspace package: uploading the workspace root ${root}`);
  const { archive, files, leftOut } = await packSource(root);
  const skipped = describeLeftOut(leftOut);
  if (skipped) options.onStep?.(skipped);
  await ensureProject(api, options.project, options);
  options.onStep?.(`uploading source (${files} files, ${archive.length} bytes)`);
  const upload = await api.post<{ uploadUrl: string; headers: Record<string, string>; source: { key: string } }>(
    `/projects/${options.project}/sources`,
    { bytes: archive.length },
  );
  const put = await fetch(upload.uploadUrl, { method: 'PUT', headers: upload.headers, body: new Uint8Array(archive) });
  if (!put.ok) throw new Error(`source upload failed: HTTP ${put.status} ${(await put.text()).slice(0, 200)}`);

  const commit = gitCommit(options.dir);
  const started = await api.post<{ deployment: Deployment }>(`/projects/${options.project}/deployments`, {
    source: { key: upload.source.key },
    ...(commit ? { commit } : {}),
    ...(options.preview ? { preview: options.preview } : {}),
    ...(rootDirectory ? { rootDirectory } : {}),
  });
  const id = started.deployment.id;
  options.onStep?.(`deployment ${id} started`);

  const stopWatching = options.onState ? watchPipelineState(api, options.project, id, options.onState, options.pollMs) : undefined;
  try {
    await followDeploymentLog(api, options, id);
  } finally {
    stopWatching?.();
  }
  const { deployment } = await api.get<{ deployment: Deployment }>(`/projects/${options.project}/deployments/${id}`);
  if (deployment.status === 'SUPERSEDED') {
    throw new DeployFailed(deployment, `deployment ${id} did not go live: a newer deployment of the same pointer went live first`);
  }
  if (deployment.status === 'CANCELLED') {
    throw new DeployFailed(
      deployment,
      `deployment ${id} was CANCELLED${deployment.cancelledBy ? ` by ${deployment.cancelledBy}` : ''}; the live version keeps serving`,
    );
  }
  if (deployment.status !== 'LIVE' && !deployment.failedState) {
    // The execution stopped without recording why (aborted, or the platform restarted): ask it.
    const { execution } = await api.get<{ execution: { status: string; error?: string; cause?: string } }>(
      `/projects/${options.project}/deployments/${id}/execution`,
    );
    throw new DeployFailed(
      deployment,
      `deployment ${id} did not finish: its execution is ${execution.status}${execution.error ? ` (${execution.error}: ${execution.cause ?? ''})` : ''}`,
    );
  }
  if (deployment.status !== 'LIVE') {
    throw new DeployFailed(
      deployment,
      `deployment ${id} failed in state "${deployment.failedState ?? '?'}": ${deployment.error ?? 'unknown error'}${deployment.cause ? `: ${deployment.cause}` : ''}`,
    );
  }
  return deployment;
}

/** The project's build settings, or undefined when the project does not exist yet. */
async function projectSettings(api: ApiClient, project: string): Promise<{ buildCommand?: string; rootDirectory?: string } | undefined> {
  try {
    return (await api.get<{ settings: { buildCommand?: string; rootDirectory?: string } }>(`/projects/${project}/settings`)).settings;
  } catch (error) {
    if (error instanceof ApiCallError && error.status === 404) return undefined;
    throw error;
  }
}

/**
 * Polls the deployment's execution and reports the state it is in (the newest state entered and not
 * left), until the returned function is called. A failed poll is skipped: the log decides the end.
 */
function watchPipelineState(api: ApiClient, project: string, id: string, onState: (state: string) => void, pollMs = 1000): () => void {
  let stopped = false;
  void (async () => {
    while (!stopped) {
      try {
        const { execution } = await api.get<{ execution: { states: Array<{ name: string; status: string }> } }>(
          `/projects/${project}/deployments/${id}/execution`,
        );
        const running = execution.states.filter((state) => state.status === 'entered').at(-1) ?? execution.states.at(-1);
        if (running && !stopped) onState(running.name);
      } catch {
        // not started yet, or a transient error: the next poll tells
      }
      await sleep(Math.max(pollMs, 500), undefined, { ref: false });
    }
  })();
  return () => {
    stopped = true;
  };
}
