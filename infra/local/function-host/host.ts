import type { ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { FunctionResponse } from '../../../handlers/lib/function-response.js';
import { gatewayErrorPage, requestIdOf } from '../../../router/gateway-error.js';
import { readCompleteHttpIntegration, readHttpIntegrationStream } from '../../../router/lambda/http-integration-stream.js';
import { forwardLines } from '../line-splitter.js';
import { Outbox, unbatch } from './outbox.js';
import { linkTree } from './link-tree.js';
import { removeStaleSpareFolders } from './stale-spares.js';
import { parseWorkerMessage, type AssignRequest, type CancelRequest, type FlowRequest, type InvokeRequest } from './messages.js';
import { packageRoot } from '../../package-root.js';
import { capMechanism } from '../sandbox/cap-mechanism.js';
import { capFromOutput, capLine, functionLimits } from '../sandbox/limits.js';
import { spawnSandbox, type RunningSandbox } from '../sandbox/spawn-sandbox.js';
import { machineTrustEnvironment } from '../sandbox/trust-env.js';
import { FUNCTION_PATH, sandboxPath } from '../sandbox/sandbox-path.js';
import { UidPool } from '../sandbox/uid-pool.js';

/**
 * Tenant server functions as local worker processes: what Lambda is on AWS.
 *
 * Each deployment's server bundle (`{project}/deployments/{deploymentId}/server/...` in the project
 * bucket) is copied once to `<stateDir>/functions/<project>/<deploymentId>/` and run by one worker
 * process per project version, started on its first request and stopped when idle. A cold start
 * takes a spare when there is one: a worker already started in its sandbox (Node running, no
 * deployment yet) whose own empty folder then receives hard links to the deployment's files; it
 * serves that deployment alone until it stops, and another spare is started once it has answered.
 *
 * A worker runs tenant code, so it runs sandboxed (../sandbox/): its own uid, the platform's state
 * hidden (other tenants' copies with it), only its own server folder visible (read-only), a private
 * network that cannot reach the platform's ports, caps on memory (the project's memoryMb, resident),
 * processes, CPU time and /tmp, and an environment of its deployment's runtime variables (handed
 * over on an fd) plus NODE_ENV, TZ and a fixed PATH like Lambda's (../sandbox/sandbox-path.ts).
 */
export interface FunctionHostOptions {
  /** Local copies go under `<stateDir>/functions/<project>/<deploymentId>/`. */
  stateDir: string;
  projectBucket: string;
  /** Already configured for the local S3 server. */
  s3: S3Client;
  /** Stop a worker after this long without requests (default 5 min). */
  idleMs?: number;
  /**
   * Per-invocation limit (default 30 s); past it the worker is killed and the call gets a 504 result,
   * or a streamed response that has begun ends there (the worker lives on).
   */
  timeoutMs?: number;
  /** Limit for a new worker to import its handler (Lambda's init phase; default 10 s, at least timeoutMs). */
  initTimeoutMs?: number;
  /**
   * The tenant env vars of one deployment (its runtime variables, secrets decrypted), read once per
   * deployment when its first worker starts: a deployment's variables never change.
   */
  environment?: (project: string, deploymentId: string) => Record<string, string> | Promise<Record<string, string>>;
  /** Each line a worker prints (default: the host's stderr, prefixed with the project version). */
  onLog?: (project: string, deploymentId: string, line: string) => void;
  /** Memory of a worker in MiB, resident and heap (default 512). */
  memoryMb?: number;
  /** First uid of the workers' uid pool (default 1200000). */
  firstUid?: number;
  /**
   * Workers started ahead, in their sandboxes but with no deployment yet (default 0; the platform
   * keeps 1): a cold start takes one instead of waiting for a sandbox and Node to start. Their caps
   * are those of the memory of the last cold start (at first `memoryMb`); a project of another
   * memory gets a worker started for it.
   */
  spareWorkers?: number;
}

export interface FunctionSettings {
  timeoutMs?: number;
  memoryMb?: number;
}

export interface FunctionHost {
  /** Downloads the deployment's server/ files if not present (idempotent, concurrent-safe). */
  prepare(project: string, deploymentId: string): Promise<void>;
  /**
   * Runs the deployment's handler on the event. Function failures come back as results (502 for a
   * handler error or a crashed worker, 504 for a timeout, each with a JSON body); a deployment that
   * has no server bundle rejects with a `ResourceNotFoundException`. A streaming handler's answer
   * resolves once its head is written; its body flows until the handler ends it or the time limit
   * passes (then it ends). A failure after the head cuts the body instead.
   */
  invoke(project: string, deploymentId: string, event: APIGatewayProxyEventV2): Promise<FunctionResponse>;
  /**
   * Sets a project's function settings from its stack parameters (the subscription's
   * functionTimeoutSeconds and functionMemoryMb): new invocations and new workers use them.
   */
  configure(project: string, settings: FunctionSettings): void;
  /**
   * Downloads the deployment's server files and starts its worker (up to the import of its handler),
   * so its first request finds it running: *Update project stack* calls it before Release moves the
   * pointer. Resolves once the worker is ready; a worker that fails to start is stopped and its
   * failure left for the first request to report, as Lambda reports a failed init.
   */
  warm(project: string, deploymentId: string): Promise<void>;
  /** Stops the project's workers and deletes its local copies. */
  remove(project: string): Promise<void>;
  /** Stops all workers. */
  close(): Promise<void>;
}

const DEFAULT_IDLE_MS = 5 * 60_000;
const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_INIT_TIMEOUT_MS = 10_000;
const DEFAULT_MEMORY_MB = 512;
const DOWNLOAD_CONCURRENCY = 8;
/** How often a busy worker's cap counters are read (see reportCaps). */
const CAP_READ_INTERVAL_MS = 1000;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const DEFAULT_FIRST_UID = 1_200_000;
/** Set by the host for every worker; a tenant variable of the same name does not replace them. */
const PLATFORM_VARIABLES = new Set(['PATH', 'NODE_ENV', 'TZ', 'NODE_EXTRA_CA_CERTS', 'SSL_CERT_FILE', 'SSL_CERT_DIR']);
/** What a cap did when it tripped without ending the worker. */
const CAP_EFFECT = {
  memory: 'a process was killed',
  processes: 'a new process was refused',
  disk: '/tmp is full',
  'cpu time': 'a process was stopped',
} as const;
/** Workers alive at once (each has its own uid); more wait for one to stop. */
const MAX_WORKERS = 4096;

const here = dirname(fileURLToPath(import.meta.url));
/** Compiled, the worker is `worker.js` beside this file; run from source (tests), `worker.ts` through tsx. */
const fromSource = import.meta.url.endsWith('.ts');
const WORKER_FILE = join(here, fromSource ? 'worker.ts' : 'worker.js');

function workerLoaderArgs(): string[] {
  if (!fromSource) return [];
  return ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href];
}

function namedError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

function checkName(kind: string, value: string): void {
  if (!NAME.test(value) || value.includes('..'))
    throw namedError('InvalidParameterValueException', `invalid ${kind} name ${JSON.stringify(value)}`);
}

interface Pending {
  resolve(result: FunctionResponse): void;
  /** The bytes of a streamed response, from the worker's first write on. */
  body?: PassThrough;
  /** The streamed response's head went to the caller: from then on only its body can tell of failures. */
  headSent?: boolean;
  /** Names the request on a visitor's error page and in the log line that says what failed. */
  requestId: string;
  timer?: NodeJS.Timeout;
}

type InitOutcome = { ok: true } | { ok: false; error: { name: string; message: string } };

interface Worker {
  /** `project/deploymentId`; empty, as are the two below, while it is a spare with no deployment. */
  key: string;
  project: string;
  deploymentId: string;
  /** The memory its caps were set for (a spare is handed only to a project of that memory). */
  memoryMb: number;
  /** A spare's own folder (hard links to its deployment's files once it has one), removed when it exits. */
  spareDir?: string;
  /** A cold start's worker (a spare or not): the spares are refilled once it has answered, or is gone. */
  refillSpares?: boolean;
  child: ChildProcess;
  /** What goes to the worker, gathered per turn of the event loop. */
  outbox: Outbox;
  sandbox: RunningSandbox;
  pending: Map<number, Pending>;
  /** What `ready` settled with, once it has. */
  initOutcome?: InitOutcome;
  /** Settles once the worker has imported its handler (or failed to, or exited first). */
  ready: Promise<InitOutcome>;
  idleTimer?: NodeJS.Timeout;
  exited: Promise<void>;
  hasExited: boolean;
  /** Why the host stopped it, if it did (says what the pending calls get). */
  stopReason?: 'timeout' | 'stopped';
  /** When its caps' counters were last read, and the read already due (see reportCaps). */
  capsReadAt: number;
  capsRead?: NodeJS.Timeout;
}

/** Lets an idle worker's handles stop keeping the host process alive (and undoes it when busy). */
function setRef(child: ChildProcess, ref: boolean): void {
  const handles = [child, child.channel, child.stdout as unknown as Socket | null, child.stderr as unknown as Socket | null];
  for (const handle of handles) {
    const target = handle as { ref?: () => void; unref?: () => void } | null | undefined;
    if (ref) target?.ref?.();
    else target?.unref?.();
  }
}

export function createFunctionHost(options: FunctionHostOptions): FunctionHost {
  const idleMs = options.idleMs ?? DEFAULT_IDLE_MS;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const initTimeoutMs = options.initTimeoutMs ?? Math.max(DEFAULT_INIT_TIMEOUT_MS, timeoutMs);
  const memoryMb = options.memoryMb ?? DEFAULT_MEMORY_MB;
  const functionsRoot = resolve(options.stateDir, 'functions');
  const workers = new Map<string, Worker>();
  const preparing = new Map<string, Promise<void>>();
  const settings = new Map<string, FunctionSettings>();
  const timeoutOf = (project: string) => settings.get(project)?.timeoutMs ?? timeoutMs;
  const memoryOf = (project: string) => settings.get(project)?.memoryMb ?? memoryMb;
  let nextId = 0;
  let closed = false;

  const functionDir = (project: string, deploymentId: string): string => join(functionsRoot, project, deploymentId);
  // Where every worker sees its function folder (and its cwd): a sandbox shows only its own folder,
  // so one path serves all; a spare is started before its deployment is known. Not a project name (those start with a letter or digit).
  const taskPath = join(functionsRoot, '.task');
  // This host's spares' folders (hard links of one deployment each, once given one).
  const sparesRoot = join(functionsRoot, '.spares', `${process.pid}-${randomBytes(4).toString('hex')}`);
  const spareCount = options.spareWorkers ?? 0;
  const spares: Worker[] = [];
  let spareMemoryMb = memoryMb;
  /** Spares being started (close waits for them, to stop them too). */
  const spareStarts = new Set<Promise<void>>();
  const keyOf = (project: string, deploymentId: string): string => `${project}/${deploymentId}`;
  const log =
    options.onLog ??
    ((project: string, deploymentId: string, line: string) => process.stderr.write(`[function ${project}/${deploymentId}] ${line}\n`));

  /** A visitor gets a plain page with the request id; what failed goes to the function's log only, under that id. */
  function errorResult(
    worker: Worker,
    id: number,
    statusCode: 502 | 504,
    error: string,
    message: string,
  ): APIGatewayProxyStructuredResultV2 {
    const pending = worker.pending.get(id);
    const requestId = pending?.requestId ?? randomUUID();
    if (pending?.headSent) {
      log(worker.project, worker.deploymentId, `function host: request ${requestId} stream stopped (${statusCode}): ${error}: ${message}`);
    } else if (pending) {
      log(worker.project, worker.deploymentId, `function host: request ${requestId} answered ${statusCode}: ${error}: ${message}`);
    }
    // A begun stream: a timeout ends it where it is, any other failure cuts it.
    if (statusCode === 504) pending?.body?.end();
    else pending?.body?.destroy(new Error(`${error}: ${message}`));
    return gatewayErrorPage(statusCode, requestId);
  }

  async function download(project: string, deploymentId: string): Promise<void> {
    const dir = functionDir(project, deploymentId);
    const prefix = `${project}/deployments/${deploymentId}/server/`;
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await options.s3.send(
        new ListObjectsV2Command({ Bucket: options.projectBucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const object of page.Contents ?? []) if (object.Key && !object.Key.endsWith('/')) keys.push(object.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    if (!keys.includes(`${prefix}handler.js`)) {
      throw namedError(
        'ResourceNotFoundException',
        `deployment ${deploymentId} of project ${project} has no server function (${prefix}handler.js)`,
      );
    }

    // Written beside the final directory and renamed into place: the directory exists only when complete.
    await mkdir(dirname(dir), { recursive: true });
    const partial = `${dir}.partial-${randomBytes(6).toString('hex')}`;
    const serverDir = join(partial, 'server');
    try {
      await mkdir(serverDir, { recursive: true });
      // handler.js is ESM whatever package.json sits above the state directory (the bundle's own
      // server/package.json, when it has one, is nearer and wins).
      await writeFile(join(partial, 'package.json'), '{ "type": "module" }\n');
      const queue = [...keys];
      const fetchOne = async (key: string): Promise<void> => {
        const target = resolve(serverDir, key.slice(prefix.length));
        const rel = relative(serverDir, target);
        if (!rel || rel.startsWith('..') || rel.startsWith(sep)) return; // not a file inside server/
        const object = await options.s3.send(new GetObjectCommand({ Bucket: options.projectBucket, Key: key }));
        if (!object.Body) throw new Error(`empty body for s3://${options.projectBucket}/${key}`);
        await mkdir(dirname(target), { recursive: true });
        await writeFile(target, await object.Body.transformToByteArray());
      };
      await Promise.all(
        Array.from({ length: Math.min(DOWNLOAD_CONCURRENCY, queue.length) }, async () => {
          for (let key = queue.shift(); key !== undefined; key = queue.shift()) await fetchOne(key);
        }),
      );
      try {
        await rename(partial, dir);
      } catch (error) {
        // Another host process finished the same copy first: keep theirs.
        const code = (error as NodeJS.ErrnoException).code;
        if ((code !== 'EEXIST' && code !== 'ENOTEMPTY') || !existsSync(join(dir, 'server', 'handler.js'))) throw error;
      }
    } finally {
      await rm(partial, { recursive: true, force: true });
    }
  }

  function prepare(project: string, deploymentId: string): Promise<void> {
    try {
      checkName('project', project);
      checkName('deployment', deploymentId);
    } catch (error) {
      return Promise.reject(error);
    }
    if (existsSync(join(functionDir(project, deploymentId), 'server', 'handler.js'))) return Promise.resolve();
    const key = keyOf(project, deploymentId);
    let promise = preparing.get(key);
    if (!promise) {
      promise = download(project, deploymentId).finally(() => preparing.delete(key));
      preparing.set(key, promise);
    }
    return promise;
  }

  /** The invocation is over; `result` answers it unless a streamed head did already. */
  function finish(worker: Worker, id: number, result?: FunctionResponse): void {
    const pending = worker.pending.get(id);
    if (!pending) return;
    reportCaps(worker);
    worker.pending.delete(id);
    clearTimeout(pending.timer);
    if (result) pending.resolve(result);
    if (worker.pending.size === 0 && !worker.hasExited) {
      worker.idleTimer = setTimeout(() => void stopWorker(worker, 'stopped'), idleMs);
      worker.idleTimer.unref();
      setRef(worker.child, false);
      refillAfter(worker);
    }
  }

  /**
   * Names in the function's log each cap that refused something since the last look. Reading the
   * counters (cgroup files, /tmp's free space) cost more CPU than routing the request did, so a
   * busy worker's are read at most once per CAP_READ_INTERVAL_MS: at once after a quiet spell,
   * else once more at the end of the interval for every call finished within it.
   */
  function reportCaps(worker: Worker): void {
    if (worker.capsRead) return;
    const read = async (): Promise<void> => {
      worker.capsRead = undefined;
      worker.capsReadAt = Date.now();
      const limits = functionLimits(memoryOf(worker.project));
      for (const cap of await worker.sandbox.newlyTripped().catch(() => [])) {
        log(worker.project, worker.deploymentId, capLine('function', cap, limits, CAP_EFFECT[cap]));
      }
    };
    const wait = worker.capsReadAt + CAP_READ_INTERVAL_MS - Date.now();
    if (wait <= 0) void read();
    else {
      worker.capsRead = setTimeout(() => void read(), wait);
      worker.capsRead.unref();
    }
  }

  /** Under rlimits alone nothing counts refusals: a handler error that is one (EAGAIN, a failed allocation) names its cap. */
  function noteRefusal(worker: Worker, error: string): void {
    if (capMechanism() !== 'rlimit') return;
    const cap = capFromOutput([error]);
    if (cap) log(worker.project, worker.deploymentId, capLine('function', cap, functionLimits(memoryOf(worker.project)), CAP_EFFECT[cap]));
  }

  /** A streaming handler began writing: its head answers the call once the prelude is in. */
  function startStream(worker: Worker, id: number, contentType: string): void {
    const pending = worker.pending.get(id);
    if (!pending || pending.body) return;
    const body = new PassThrough();
    pending.body = body;
    body.on('close', () => {
      // Closed after its head went out but before the function ended it: the viewer left. The
      // handler stops; the worker serves on. (Before the head only the host closes it, and answers.)
      if (pending.headSent && !body.writableFinished) {
        finish(worker, id);
        cancel(worker, id);
      }
    });
    readHttpIntegrationStream(contentType, body).then(
      (response) => {
        pending.headSent = true;
        pending.resolve(response);
        if (body.writableEnded) finish(worker, id); // the function ended while its head was read
      },
      (error: Error) => {
        finish(worker, id, errorResult(worker, id, 502, 'InvalidFunctionResponse', error.message));
        cancel(worker, id);
      },
    );
  }

  /** One message of a streaming handler's writes: its start, bytes and end, any of them. */
  function takeStream(worker: Worker, id: number, part: { start?: string; bytes?: Uint8Array; end?: true }): void {
    const pending = worker.pending.get(id);
    if (!pending) return;
    if (part.start !== undefined && part.end && !pending.body) {
      // The whole response in one message (an ordinary page): read at once, no stream in between.
      let response: FunctionResponse;
      try {
        response = readCompleteHttpIntegration(part.start, part.bytes ?? new Uint8Array(0));
      } catch (error) {
        response = errorResult(worker, id, 502, 'InvalidFunctionResponse', (error as Error).message);
      }
      finish(worker, id, response);
      return;
    }
    if (part.start !== undefined) startStream(worker, id, part.start);
    if (part.bytes) passChunk(worker, id, part.bytes);
    if (part.end) {
      pending.body?.end();
      // Until the head is read, reading it finishes the call (with the response, or a 502).
      if (pending.headSent) finish(worker, id);
    }
  }

  /** Hands a chunk on; while the reader is behind, the worker holds its next writes back. */
  function passChunk(worker: Worker, id: number, chunk: Uint8Array): void {
    const body = worker.pending.get(id)?.body;
    if (!body || body.write(chunk) || body.listenerCount('drain') > 0) return;
    send(worker, { id, flow: 'pause' });
    body.once('drain', () => send(worker, { id, flow: 'resume' }));
  }

  function send(worker: Worker, message: CancelRequest | FlowRequest): void {
    if (worker.hasExited || !worker.child.connected) return;
    worker.outbox.send(message);
  }

  function cancel(worker: Worker, id: number): void {
    send(worker, { id, cancel: true });
  }

  function stopWorker(worker: Worker, reason: 'timeout' | 'stopped'): Promise<void> {
    if (workers.get(worker.key) === worker) {
      workers.delete(worker.key);
      // Its variables go with it at once (as in onGone, which runs only once the exit is seen): the
      // next start of this version reads them again.
      if (!starting.has(worker.key)) environments.delete(worker.key);
    }
    if (!worker.hasExited) {
      worker.stopReason ??= reason;
      worker.sandbox.kill();
    }
    return worker.exited;
  }

  const environments = new Map<string, Promise<Record<string, string>>>();
  function environmentOf(project: string, deploymentId: string): Promise<Record<string, string>> {
    const key = keyOf(project, deploymentId);
    let env = environments.get(key);
    if (!env) {
      env = Promise.resolve(options.environment?.(project, deploymentId) ?? {});
      env.catch(() => environments.delete(key));
      environments.set(key, env);
    }
    return env;
  }

  const uids = UidPool.shared(options.firstUid ?? DEFAULT_FIRST_UID, MAX_WORKERS);
  const hiddenPaths = [resolve(options.stateDir)];

  /**
   * Starts a sandboxed worker that shows `source` (read-only) at taskPath; it runs nothing of a
   * tenant's until assignWorker gives it a deployment.
   */
  async function spawnWorker(source: string, workerMemoryMb: number, name: string, spareDir?: string): Promise<Worker> {
    const limits = functionLimits(workerMemoryMb);
    const lease = await uids.acquire();
    let sandbox: RunningSandbox;
    try {
      sandbox = await spawnSandbox({
        name: name.slice(0, 40),
        uid: lease.uid,
        limits,
        ipc: true,
        ipcSerialization: 'advanced',
        spec: {
          runtimePaths: [...new Set([packageRoot(), dirname(dirname(process.execPath))])].map((source) => ({ source })),
          // The state directory holds every tenant's function copies: all hidden, this one shown again.
          hiddenPaths,
          mounts: [{ source, target: taskPath }],
          tmpMiB: limits.tmpMiB,
          network: 'private',
          cwd: taskPath,
          env: {
            PATH: sandboxPath(FUNCTION_PATH),
            NODE_ENV: 'production',
            TZ: process.env.TZ ?? 'UTC',
            ...machineTrustEnvironment(),
          },
          command: [process.execPath, ...workerLoaderArgs(), `--max-old-space-size=${limits.memoryMiB}`, WORKER_FILE],
        },
      });
    } catch (error) {
      lease.release();
      throw error;
    }
    const child = sandbox.child;
    let markExited!: () => void;
    let markReady!: (outcome: InitOutcome) => void;
    const worker: Worker = {
      key: '',
      project: '',
      deploymentId: '',
      memoryMb: workerMemoryMb,
      ...(spareDir ? { spareDir } : {}),
      child,
      outbox: new Outbox((message, sent) => {
        if (!child.connected) sent(new Error('the function worker is gone'));
        else child.send(message, (error) => sent(error ?? null));
      }),
      sandbox,
      pending: new Map(),
      ready: new Promise<InitOutcome>((resolvePromise) => {
        markReady = (outcome) => {
          worker.initOutcome ??= outcome;
          resolvePromise(outcome);
        };
      }),
      hasExited: false,
      capsReadAt: 0,
      exited: new Promise<void>((resolvePromise) => (markExited = resolvePromise)),
    };
    // A spare's own lines (before it has a deployment) are the platform's.
    const workerLog = (line: string): void => log(worker.project || 'spare', worker.deploymentId, line);
    // The last lines, for naming a cap from the refused call's error when there are no cgroups to ask.
    const recentLines: string[] = [];
    const onLine = (line: string): void => {
      recentLines.push(line);
      if (recentLines.length > 50) recentLines.shift();
      workerLog(line);
      noteRefusal(worker, line);
    };
    forwardLines(child.stdout, onLine);
    forwardLines(child.stderr, onLine);

    child.on('message', (received: unknown) => {
      for (const raw of unbatch(received)) take(raw);
    });
    function take(raw: unknown): void {
      const parsed = parseWorkerMessage(raw);
      if (!parsed.ok) {
        const id = (raw as { id?: unknown } | null)?.id;
        workerLog(`function host: invalid message from worker: ${parsed.issue}`);
        if (typeof id === 'number')
          finish(
            worker,
            id,
            errorResult(worker, id, 502, 'InvalidFunctionResponse', `the function returned an invalid result: ${parsed.issue}`),
          );
        return;
      }
      const message = parsed.message;
      if ('ready' in message) markReady({ ok: true });
      else if ('initError' in message) markReady({ ok: false, error: message.initError });
      else if ('result' in message) finish(worker, message.id, message.result);
      else if ('stream' in message) takeStream(worker, message.id, message.stream);
      else {
        noteRefusal(worker, `${message.error.name}: ${message.error.message}`);
        finish(
          worker,
          message.id,
          errorResult(worker, message.id, 502, 'FunctionError', `${message.error.name}: ${message.error.message}`),
        );
      }
    }

    const onGone = (code: number | null, signal: NodeJS.Signals | null, error?: Error): void => {
      if (worker.hasExited) return;
      worker.hasExited = true;
      if (workers.get(worker.key) === worker) workers.delete(worker.key);
      // A version's runtime variables are held while it has a worker, and read again if it starts
      // again: kept for every version ever started, they (and the deployment's execution scope their
      // promise was made in) would add up with every deployment.
      if (!workers.has(worker.key)) environments.delete(worker.key);
      if (worker.idleTimer) clearTimeout(worker.idleTimer);
      const how = error ? error.message : code !== null ? `code ${code}` : `signal ${signal}`;
      const cap = error
        ? undefined
        : (sandbox.trippedCap(code, signal) ?? (capMechanism() === 'rlimit' && code !== 0 ? capFromOutput(recentLines) : undefined));
      if (cap) workerLog(capLine('function', cap, limits, 'the function was stopped'));
      // The uid goes back to the pool, and the worker counts as gone, once nothing of its sandbox is left.
      const disposed = sandbox
        .dispose()
        .then(() => (worker.spareDir ? rm(worker.spareDir, { recursive: true, force: true }) : undefined))
        .catch(() => undefined)
        .finally(() => lease.release());
      const spareIndex = spares.indexOf(worker);
      if (spareIndex >= 0) spares.splice(spareIndex, 1);
      refillAfter(worker);
      for (const [id, pending] of worker.pending) {
        clearTimeout(pending.timer);
        pending.resolve(
          worker.stopReason === 'stopped'
            ? errorResult(worker, id, 502, 'FunctionStopped', 'the function was stopped before it answered')
            : worker.stopReason === 'timeout'
              ? errorResult(worker, id, 502, 'FunctionStopped', 'the function was restarted after another request timed out')
              : errorResult(worker, id, 502, 'FunctionCrashed', `the function worker exited (${how}) before it answered`),
        );
        worker.pending.delete(id);
      }
      markReady({ ok: false, error: { name: 'Runtime.ExitError', message: `the function worker exited (${how})` } });
      void disposed.finally(markExited);
    };
    child.on('exit', (code, signal) => onGone(code, signal));
    sandbox.started.catch((error: Error) => onGone(null, null, new Error(`the function could not be sandboxed: ${error.message}`)));
    child.on('error', (error) => {
      // A failed spawn emits no 'exit'; a failed kill or send changes nothing about the process.
      if (child.pid === undefined || child.exitCode !== null) onGone(null, null, error);
    });
    return worker;
  }

  /** Gives a started worker its deployment (a spare's folder receives the deployment's files first). */
  async function assignWorker(worker: Worker, project: string, deploymentId: string, tenantEnv: Record<string, string>): Promise<void> {
    if (worker.spareDir) await linkTree(functionDir(project, deploymentId), worker.spareDir);
    worker.key = keyOf(project, deploymentId);
    worker.project = project;
    worker.deploymentId = deploymentId;
    const message: AssignRequest = {
      assign: {
        handlerFile: join(taskPath, 'server', 'handler.js'),
        functionName: `slipway-${project}`,
        functionVersion: deploymentId,
        memoryMb: functionLimits(memoryOf(project)).memoryMiB,
        // The tenant's variables (secrets decrypted) travel on the IPC channel, never in an argv; the platform's own names win.
        env: Object.fromEntries(
          Object.entries(tenantEnv).filter(([name]) => !PLATFORM_VARIABLES.has(name) && !name.startsWith('NODE_CHANNEL_')),
        ),
      },
    };
    // A worker that cannot be reached has exited: its exit answers the calls waiting on it.
    worker.child.send(message, () => undefined);
    if (!worker.hasExited) workers.set(worker.key, worker);
  }

  /**
   * A running spare of the project's memory, if there is one. The spares follow the memory of the
   * last cold start (most projects share their subscription's): after one of another memory they
   * are replaced by spares of that memory once its worker has answered.
   */
  function takeSpare(project: string): Worker | undefined {
    if (spareCount === 0) return undefined;
    const wanted = memoryOf(project);
    spareMemoryMb = wanted;
    const index = spares.findIndex((spare) => !spare.hasExited && spare.memoryMb === wanted);
    return index < 0 ? undefined : spares.splice(index, 1)[0];
  }

  /**
   * Starts spares up to spareCount, of spareMemoryMb (stopping those of another). Only after a cold
   * start was served (and at start): a spare that dies unasked is not replaced in a loop.
   */
  function refillSpares(): void {
    for (const stale of spares.filter((spare) => spare.memoryMb !== spareMemoryMb)) {
      spares.splice(spares.indexOf(stale), 1);
      void stopWorker(stale, 'stopped');
    }
    while (!closed && spares.length + spareStarts.size < spareCount) {
      const spareDir = join(sparesRoot, randomBytes(6).toString('hex'));
      const start = (async () => {
        try {
          await mkdir(spareDir, { recursive: true });
          const spare = await spawnWorker(spareDir, spareMemoryMb, 'fn-spare', spareDir);
          setRef(spare.child, false);
          if (closed || spare.hasExited) await stopWorker(spare, 'stopped');
          else spares.push(spare);
        } catch (error) {
          log('spare', '', `function host: a spare worker could not be started: ${(error as Error).message}`);
          await rm(spareDir, { recursive: true, force: true });
        }
      })().finally(() => spareStarts.delete(start));
      spareStarts.add(start);
    }
  }

  /**
   * Spares are refilled once a cold start's worker has answered (or is gone), so a new spare's start
   * does not slow the cold start; a worker warmed ahead of requests waits for its first request too,
   * which follows a deploy at once.
   */
  function refillAfter(worker: Worker): void {
    if (!worker.refillSpares) return;
    worker.refillSpares = false;
    refillSpares();
  }

  /** The running worker of a project version, or a new one (one start at a time per version). */
  const starting = new Map<string, Promise<Worker>>();
  function workerFor(project: string, deploymentId: string, tenantEnv: Record<string, string>): Promise<Worker> {
    const key = keyOf(project, deploymentId);
    const running = workers.get(key);
    if (running) return Promise.resolve(running);
    let start = starting.get(key);
    if (!start) {
      start = (async () => {
        const worker = takeSpare(project) ?? (await spawnWorker(functionDir(project, deploymentId), memoryOf(project), `fn-${project}`));
        worker.refillSpares = spareCount > 0;
        try {
          await assignWorker(worker, project, deploymentId, tenantEnv);
        } catch (error) {
          await stopWorker(worker, 'stopped');
          throw error;
        }
        return worker;
      })().finally(() => starting.delete(key));
      starting.set(key, start);
    }
    return start;
  }

  async function startedWorker(project: string, deploymentId: string): Promise<Worker> {
    await prepare(project, deploymentId);
    return workerFor(project, deploymentId, await environmentOf(project, deploymentId));
  }

  async function invoke(project: string, deploymentId: string, event: APIGatewayProxyEventV2): Promise<FunctionResponse> {
    if (closed) throw namedError('ServiceException', 'the function host is closed');
    // A running worker has its files and its variables: nearly every request goes straight to it.
    const worker = workers.get(keyOf(project, deploymentId)) ?? (await startedWorker(project, deploymentId));
    if (worker.idleTimer) clearTimeout(worker.idleTimer);
    worker.idleTimer = undefined;
    setRef(worker.child, true);
    const id = ++nextId;
    return new Promise<FunctionResponse>((resolvePromise) => {
      const pending: Pending = { resolve: resolvePromise, requestId: requestIdOf(event) };
      worker.pending.set(id, pending);
      const hand = (init: InitOutcome): void => {
        if (worker.pending.get(id) !== pending) return; // already answered (the worker is gone)
        if (!init.ok) {
          finish(worker, id, errorResult(worker, id, 502, 'FunctionInitError', `${init.error.name}: ${init.error.message}`));
          // Start afresh on the next request (the bundle is immutable, but the failure may not be).
          void stopWorker(worker, 'stopped');
          return;
        }
        clearTimeout(pending.timer);
        const limitMs = timeoutOf(project);
        pending.timer = setTimeout(() => {
          const streaming = pending.body !== undefined;
          finish(worker, id, errorResult(worker, id, 504, 'FunctionTimeout', `the function did not answer within ${limitMs} ms`));
          // A stream that outlived its limit (an endless event stream, say) is the handler's own
          // business: stop it alone. A worker stuck in one request may be stuck for all: start afresh.
          if (streaming) cancel(worker, id);
          else void stopWorker(worker, 'timeout');
        }, limitMs);
        const message: InvokeRequest = { id, event, timeoutMs: limitMs };
        worker.outbox.send(message, (error) => {
          if (error)
            finish(worker, id, errorResult(worker, id, 502, 'FunctionCrashed', `could not reach the function worker: ${error.message}`));
        });
      };
      // A running worker (nearly every request) gets the event at once; one still starting, once its
      // init phase is over, within its own limit: the invocation's timeout starts when the event is
      // handed over, as on Lambda.
      if (worker.initOutcome) {
        hand(worker.initOutcome);
        return;
      }
      pending.timer = setTimeout(() => {
        finish(worker, id, errorResult(worker, id, 504, 'FunctionInitTimeout', `the function did not start within ${initTimeoutMs} ms`));
        void stopWorker(worker, 'timeout');
      }, initTimeoutMs);
      void worker.ready.then(hand);
    });
  }

  async function warm(project: string, deploymentId: string): Promise<void> {
    if (closed) return;
    await prepare(project, deploymentId);
    let worker: Worker;
    try {
      worker = await workerFor(project, deploymentId, await environmentOf(project, deploymentId));
    } catch (error) {
      // The first request starts it again and answers with what failed.
      log(project, deploymentId, `function host: the worker could not be started ahead of requests: ${(error as Error).message}`);
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const init = await Promise.race([
      worker.ready,
      new Promise<undefined>((resolvePromise) => {
        timer = setTimeout(() => resolvePromise(undefined), initTimeoutMs);
      }),
    ]).finally(() => clearTimeout(timer));
    if (!init?.ok) {
      if (worker.pending.size === 0) await stopWorker(worker, 'stopped');
      return;
    }
    // Nobody asked yet: the worker idles (and lets the process exit) as one that has just answered.
    if (worker.pending.size === 0 && !worker.idleTimer && !worker.hasExited) {
      worker.idleTimer = setTimeout(() => void stopWorker(worker, 'stopped'), idleMs);
      worker.idleTimer.unref();
      setRef(worker.child, false);
    }
  }

  async function remove(project: string): Promise<void> {
    checkName('project', project);
    const stopping = [...workers.values()].filter((worker) => worker.project === project).map((worker) => stopWorker(worker, 'stopped'));
    const copying = [...preparing.entries()]
      .filter(([key]) => key.startsWith(`${project}/`))
      .map(([, promise]) => promise.catch(() => undefined));
    await Promise.all([...stopping, ...copying]);
    await rm(join(functionsRoot, project), { recursive: true, force: true });
    for (const key of [...environments.keys()]) if (key.startsWith(`${project}/`)) environments.delete(key);
  }

  async function close(): Promise<void> {
    closed = true;
    await Promise.all(spareStarts);
    await Promise.all([...workers.values(), ...spares].map((worker) => stopWorker(worker, 'stopped')));
    await rm(sparesRoot, { recursive: true, force: true });
  }

  function configure(project: string, next: FunctionSettings): void {
    settings.set(project, { ...settings.get(project), ...next });
  }

  if (spareCount > 0) void removeStaleSpareFolders(dirname(sparesRoot)).finally(refillSpares);
  return { prepare, warm, invoke, configure, remove, close };
}
