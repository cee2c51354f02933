/**
 * The build job (AWS Batch container command; locally run inside the sandbox). Exit 0 on success, 1 otherwise.
 *
 * Input (environment): SLIPWAY_PROJECT, SLIPWAY_BUILD_ID (d-...), SLIPWAY_SOURCE_BUCKET,
 * SLIPWAY_SOURCE_KEY (gzip tar of the app), SLIPWAY_BUILD_BUCKET, AWS credentials/region,
 * AWS_ENDPOINT_URL_S3, SLIPWAY_S3_PATH_STYLE=1 and SLIPWAY_S3_SOCKET (the S3 server's Unix socket)
 * locally, optional npm_config_registry and SLIPWAY_WORKSPACE (default: cwd). Locally all but the
 * sandbox's basics arrive as JSON on the fd named by SLIPWAY_ENV_FD, read first and closed.
 *
 * Work: extract the source into <workspace>/src (no absolute paths, "..", devices or escaping links;
 * 200 MB), install with the lockfile's package manager and run the app's build script, both with a
 * scrubbed environment (basics, CI=1, npm_config_registry; for the build NODE_ENV=production,
 * SLIPWAY_ADAPTER_OUT=<workspace>/out and NODE_OPTIONS=--import <adapter/register.js>; never the AWS
 * variables). The job gets no ticket: its scoped credentials are what confine it, then pack out/ (must hold slipway-manifest.json) and upload it to
 * s3://$SLIPWAY_BUILD_BUCKET/builds/$SLIPWAY_BUILD_ID/bundle.tar.gz.
 *
 * Project settings: builds/$SLIPWAY_BUILD_ID/env.json (written by the pipeline's Prepare build step)
 * is read and deleted first; its install/build commands, root directory and build-time variables
 * apply, and its secret values are redacted from every log line.
 *
 * Log: every line (children's stdout+stderr and `slipway: ...` step lines) goes to stdout and, redacted
 * and capped at 5 MB, to builds/$SLIPWAY_BUILD_ID/log/{seq:08d}.txt, a chunk every ~300 ms with new
 * output. On success a line `slipway: timing install=<ms> build=<ms>`; on failure the last line is
 * `slipway: build failed: <reason>`, also written to stderr.
 */
import { readBuildTarget, readRunnerConfig, EnvError } from './runner/env.js';
import { LogStream, redact } from './runner/log-stream.js';
import { BuildFailure, logPrefix, runBuild } from './runner/build.js';
import { stopRunningChildren } from './runner/run-command.js';
import { uploadText } from './runner/s3-io.js';
import { secretValues, takeProjectConfig } from './runner/project-config.js';
import { takeSecretEnvironment } from '../handlers/lib/secret-env.js';

function secretsOf(env: NodeJS.ProcessEnv): string[] {
  return [env.AWS_SECRET_ACCESS_KEY, env.AWS_SESSION_TOKEN].filter(
    (value): value is string => typeof value === 'string' && value.length >= 8,
  );
}

/** A whole number of seconds, or undefined when unset or not one (the platform's own cap still applies). */
function buildTimeoutSeconds(raw: string | undefined): number | undefined {
  if (!raw || !/^[1-9][0-9]{0,5}$/.test(raw)) return undefined;
  return Number(raw);
}

async function main(): Promise<number> {
  // Locally the sandbox hands the ticket and credentials over on an fd (SLIPWAY_ENV_FD), never in argv.
  try {
    takeSecretEnvironment(process.env);
  } catch (error) {
    process.stderr.write(`slipway: build failed: ${(error as Error).message}\n`);
    return 1;
  }
  // The job's stderr carries only its failure line; the SDK's Node support notice is not one.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const secrets = secretsOf(process.env);
  let target: ReturnType<typeof readBuildTarget>;
  try {
    target = readBuildTarget();
  } catch (error) {
    process.stderr.write(`slipway: build failed: ${redact((error as Error).message, secrets)}\n`);
    return 1;
  }
  const { buildBucket } = target;
  const log = new LogStream({
    prefix: logPrefix(target.buildId),
    upload: (key, body) => uploadText(buildBucket, key, body),
    secrets,
  });

  let stopped: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopped) return;
    stopped = signal;
    log.line(`slipway: received ${signal}, stopping the build`);
    stopRunningChildren(signal);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  // The subscription's buildTimeoutSeconds (from the verified ticket, via the job's environment):
  // past it the build's processes are stopped and the build fails naming the limit.
  const limitSeconds = buildTimeoutSeconds(process.env.SLIPWAY_BUILD_TIMEOUT_SECONDS);
  let timedOut = false;
  const deadline = limitSeconds
    ? setTimeout(() => {
        timedOut = true;
        log.line(`slipway: limit buildTimeoutSeconds is ${limitSeconds}; stopping the build`);
        onSignal('SIGTERM');
      }, limitSeconds * 1000)
    : undefined;
  deadline?.unref();

  try {
    const config = readRunnerConfig();
    // Settings and build-time variables (secrets decrypted) from the pipeline; their secret values are redacted from here on.
    const project = await takeProjectConfig(config.buildBucket, config.buildId);
    const projectSecrets = secretValues(project);
    log.addSecrets(projectSecrets);
    secrets.push(...projectSecrets);
    await runBuild(config, log, { parentEnv: { ...process.env }, isStopped: () => stopped !== undefined, project });
    clearTimeout(deadline);
    await log.close();
    return 0;
  } catch (error) {
    let reason: string;
    if (error instanceof BuildFailure || error instanceof EnvError) reason = error.message;
    else reason = `internal error: ${(error as Error)?.message ?? String(error)}`;
    clearTimeout(deadline);
    if (timedOut) reason = `limit buildTimeoutSeconds is ${limitSeconds}; the build ran longer (${reason})`;
    else if (stopped) reason = `${reason} (the build job was stopped by ${stopped})`;
    const line = redact(`slipway: build failed: ${reason}`, secrets);
    log.line(line, true);
    await log.close();
    process.stderr.write(`${line}\n`);
    return 1;
  }
}

process.exitCode = await main();
// Idle SDK sockets must not hold the job open once the work is done.
setTimeout(() => process.exit(), 2000).unref();
