import { chown, lchown, mkdir, readdir, realpath, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { RunnerConfig } from './env.js';
import type { LogStream } from './log-stream.js';
import { buildEnv, findRegisterHook, installEnv } from './child-env.js';
import { detectPackageManager, type Invocation, type PackageManagerPlan } from './package-manager.js';
import { installHint } from './install-hint.js';
import { type CommandResult, describeExit, runCommand } from './run-command.js';
import { extractSource, findAppDir, SourceError } from './source.js';
import { inspectOutput, OutputError, packOutput } from './output.js';
import { downloadToFile, uploadFile } from './s3-io.js';
import { findWorkspace } from './workspace.js';
import { EMPTY_PROJECT_CONFIG, resolveRootDirectory, SettingsError, withProjectCommands, type ProjectConfig } from './project-config.js';

/** A build failure whose message is the reason shown to the user. */
export class BuildFailure extends Error {
  override name = 'BuildFailure';
}

import { buildBundleKey as bundleKey, buildLogPrefix as logPrefix } from '../../handlers/lib/names.js';

export { bundleKey, logPrefix };

export interface BuildResult {
  installMs: number;
  buildMs: number;
  files: number;
  bytes: number;
}

export interface BuildDeps {
  /** The runner's own environment, source of the children's pass-through basics. */
  parentEnv: Record<string, string | undefined>;
  /** Path of the adapter hook, or null when it is not installed. */
  registerHook?: string | null;
  /** True once the job was told to stop; checked before each step. */
  isStopped?: () => boolean;
  /** The project's settings and build-time variables (takeProjectConfig); none when absent. */
  project?: ProjectConfig;
}

/** Hands the workspace to the build user, except the files only the runner handles. */
async function chownTree(dir: string, user: { uid: number; gid: number }, skip: string[]): Promise<void> {
  await chown(dir, user.uid, user.gid);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (skip.includes(path)) continue;
    if (entry.isDirectory()) await chownTree(path, user, skip);
    else await lchown(path, user.uid, user.gid);
  }
}

const since = (start: number) => Math.round(performance.now() - start);

/** A step's command run to its end: how it exited and how long it took. */
async function attemptStep(
  step: 'install' | 'build',
  invocation: Invocation,
  cwd: string,
  env: Record<string, string>,
  log: LogStream,
  deps: BuildDeps,
  user: RunnerConfig['buildUser'],
  onLine?: (line: string) => void,
): Promise<{ result: CommandResult; ms: number }> {
  if (deps.isStopped?.()) throw new BuildFailure(`${step} was not started`);
  const start = performance.now();
  try {
    const result = await runCommand(invocation.command, invocation.args, {
      cwd,
      env,
      onLine: (line) => {
        log.line(line);
        onLine?.(line);
      },
      user,
    });
    return { result, ms: since(start) };
  } catch (error) {
    throw new BuildFailure(`${step} failed (could not start ${invocation.command}: ${(error as Error).message})`);
  }
}

async function runStep(
  step: 'install' | 'build',
  invocation: Invocation,
  cwd: string,
  env: Record<string, string>,
  log: LogStream,
  deps: BuildDeps,
  user: RunnerConfig['buildUser'],
): Promise<number> {
  const { result, ms } = await attemptStep(step, invocation, cwd, env, log, deps, user);
  if (result.code !== 0) throw new BuildFailure(`${step} failed (${describeExit(invocation.label, result)})`);
  log.line(`slipway: ${step} finished in ${ms} ms`);
  return ms;
}

/** Enough of an install's output to find its refusal or conflict line (both come at its end). */
const INSTALL_TAIL_LINES = 200;

/**
 * The install step. When the lockfile-exact install refuses a lockfile out of date with
 * package.json, it runs the manager's install that updates the lockfile, saying so; a failure ends
 * with the `slipway settings` command that would install differently.
 */
async function runInstall(
  install: { plan: PackageManagerPlan; detected: PackageManagerPlan; project: string },
  cwd: string,
  env: Record<string, string>,
  log: LogStream,
  deps: BuildDeps,
  user: RunnerConfig['buildUser'],
): Promise<number> {
  const { plan, detected, project } = install;
  const own = plan.install !== detected.install;
  let tail: string[] = [];
  const keep = (line: string) => {
    tail.push(line);
    if (tail.length > INSTALL_TAIL_LINES) tail.shift();
  };
  const fail = (failed: Invocation, result: CommandResult): BuildFailure =>
    new BuildFailure(
      `install failed (${describeExit(failed.label, result)}); ${installHint({ project, failed, own, plan: detected, output: tail })}`,
    );
  const first = await attemptStep('install', plan.install, cwd, env, log, deps, user, keep);
  let ms = first.ms;
  if (first.result.code !== 0) {
    const relaxed = own ? undefined : detected.relaxed;
    if (!relaxed || !tail.some((line) => relaxed.refusal.test(line))) throw fail(plan.install, first.result);
    log.line(
      `slipway: ${plan.install.label} refused ${detected.lockfile ?? 'the lockfile'}: it does not match package.json. Installing with ${relaxed.install.label} instead, which updates the lockfile (as Vercel and Netlify install); commit the lockfile ${relaxed.install.label} writes to build exactly what you tested`,
    );
    tail = [];
    const second = await attemptStep('install', relaxed.install, cwd, { ...env, ...relaxed.env }, log, deps, user, keep);
    if (second.result.code !== 0) throw fail(relaxed.install, second.result);
    ms += second.ms;
  }
  log.line(`slipway: install finished in ${ms} ms`);
  return ms;
}

/** Download, extract, install, build, pack and upload; throws BuildFailure with the reason. */
export async function runBuild(config: RunnerConfig, log: LogStream, deps: BuildDeps): Promise<BuildResult> {
  const started = performance.now();
  const { workspace } = config;
  const project = deps.project ?? EMPTY_PROJECT_CONFIG;
  const srcDir = join(workspace, 'src');
  const outDir = join(workspace, 'out');
  const archive = join(workspace, 'source.tar.gz');
  const bundle = join(workspace, 'bundle.tar.gz');
  log.line(`slipway: building ${config.project} (build ${config.buildId}) with node ${process.version}`);

  // 1. Source.
  let start = performance.now();
  await mkdir(workspace, { recursive: true });
  let archiveBytes: number;
  try {
    archiveBytes = await downloadToFile(config.sourceBucket, config.sourceKey, archive);
  } catch (error) {
    throw new BuildFailure((error as Error).message);
  }
  log.line(`slipway: downloaded source (${archiveBytes} bytes) in ${since(start)} ms`);
  start = performance.now();
  let appDir: string;
  try {
    const extracted = await extractSource(archive, srcDir);
    log.line(`slipway: extracted source (${extracted.files} files, ${extracted.bytes} bytes) in ${since(start)} ms`);
    const { rootDirectory } = project.settings;
    // A monorepo's app lives below the archive root, which then need not hold a package.json itself.
    appDir = rootDirectory ? await resolveRootDirectory(srcDir, rootDirectory) : await findAppDir(srcDir);
    if (rootDirectory) {
      await findAppDir(appDir).then((dir) => {
        if (dir !== appDir) throw new SettingsError(`rootDirectory "${rootDirectory}" has no package.json`);
      });
      log.line(`slipway: building in root directory ${rootDirectory}`);
    }
  } catch (error) {
    if (error instanceof SourceError) throw new BuildFailure(`invalid source: ${error.message}`);
    if (error instanceof SettingsError) throw new BuildFailure(error.message);
    throw error;
  } finally {
    await rm(archive, { force: true });
  }

  // 2. Install: a workspace package's dependencies come from the workspace root and its lockfile.
  const sourceRoot = await realpath(srcDir);
  const workspaceOf = await findWorkspace(appDir, sourceRoot);
  if (workspaceOf) {
    const root = relative(sourceRoot, workspaceOf.root) || 'the source root';
    log.line(`slipway: ${workspaceOf.app} is a workspace package of ${root} (${workspaceOf.declaredBy}); installing there`);
  }
  const installDir = workspaceOf?.root ?? appDir;
  const detected = await detectPackageManager(installDir);
  const plan = withProjectCommands(detected, project.settings);
  const names = Object.keys(project.variables);
  if (names.length > 0) log.line(`slipway: project variables for the build: ${names.sort().join(', ')}`);
  const nodeMajor = process.versions.node.split('.')[0];
  if (project.settings.nodeVersion && project.settings.nodeVersion !== nodeMajor) {
    log.line(`slipway: warning: the project asks for Node ${project.settings.nodeVersion}; this build runs Node ${nodeMajor}`);
  }
  const tmpDir = join(workspace, 'tmp');
  await mkdir(tmpDir, { recursive: true });
  const childBase = {
    parent: deps.parentEnv,
    workspace,
    tmpDir,
    extra: plan.env,
    project: project.variables,
    ...(config.npmRegistry ? { npmRegistry: config.npmRegistry } : {}),
  };
  const why = plan.lockfile ? `found ${plan.lockfile}` : 'no lockfile';
  log.line(`slipway: installing with ${plan.install.label} (${why}${plan.via ? `; via ${plan.via}` : ''})`);
  const user = config.buildUser && process.getuid?.() === 0 ? config.buildUser : undefined;
  if (user) {
    // What the app's scripts write: its sources, their temp dir and the output dir.
    await mkdir(outDir, { recursive: true });
    await chownTree(workspace, user, [archive, bundle]);
    log.line(`slipway: install and build run as uid ${user.uid}`);
  }
  // The project's own install command runs in the app's folder, as documented; the detected one where the lockfile is.
  const installCwd = plan.install === detected.install ? installDir : appDir;
  const installMs = await runInstall({ plan, detected, project: config.project }, installCwd, installEnv(childBase), log, deps, user);

  // 3. Build.
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  if (user) await chown(outDir, user.uid, user.gid);
  const registerHook = deps.registerHook === undefined ? findRegisterHook() : deps.registerHook;
  if (!registerHook) log.line('slipway: warning: the Slipway adapter hook (adapter/register.js) is not installed; building without it');
  log.line(`slipway: building with ${plan.build.label}`);
  const buildMs = await runStep('build', plan.build, appDir, buildEnv({ ...childBase, outDir, registerHook }), log, deps, user);
  log.line(`slipway: timing install=${installMs} build=${buildMs}`);

  // 4. Output.
  let summary: Awaited<ReturnType<typeof inspectOutput>>;
  try {
    summary = await inspectOutput(outDir, appDir);
  } catch (error) {
    if (error instanceof OutputError) throw new BuildFailure(error.message);
    throw error;
  }
  log.line(`slipway: uploading build output (${summary.files} files, ${summary.bytes} bytes)`);
  start = performance.now();
  const key = bundleKey(config.buildId);
  try {
    await packOutput(outDir, bundle, summary.roots);
    const size = await uploadFile(config.buildBucket, key, bundle, 'application/gzip');
    log.line(`slipway: uploaded s3://${config.buildBucket}/${key} (${size} bytes) in ${since(start)} ms`);
  } catch (error) {
    throw new BuildFailure(`could not upload the build output: ${(error as Error).message}`);
  } finally {
    await rm(bundle, { force: true });
  }
  log.line(`slipway: build succeeded in ${since(started)} ms`);
  return { installMs, buildMs, files: summary.files, bytes: summary.bytes };
}
