/**
 * The build job: downloads the app source, installs and builds it with a scrubbed environment,
 * uploads the Slipway bundle and streams the log to the build bucket. Exit 0 on success, 1 otherwise.
 * The contract (environment, log lines, S3 keys) is in docs/ARCHITECTURE.md.
 */
import { readBuildTarget, readRunnerConfig, EnvError } from './runner/env.js';
import { LogStream, redact } from './runner/log-stream.js';
import { BuildFailure, logPrefix, runBuild } from './runner/build.js';
import { stopRunningChildren } from './runner/run-command.js';
import { uploadText } from './runner/s3-io.js';

function secretsOf(env: NodeJS.ProcessEnv): string[] {
  return [env.SLIPWAY_TICKET, env.AWS_SECRET_ACCESS_KEY, env.AWS_SESSION_TOKEN].filter(
    (value): value is string => typeof value === 'string' && value.length >= 8,
  );
}

async function main(): Promise<number> {
  // The job's stderr carries only its failure line; the SDK's Node support notice is not one.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const secrets = secretsOf(process.env);
  let target;
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

  try {
    const config = readRunnerConfig();
    // The ticket is for the pipeline, not for anything this process starts.
    delete process.env.SLIPWAY_TICKET;
    await runBuild(config, log, { parentEnv: { ...process.env }, isStopped: () => stopped !== undefined });
    await log.close();
    return 0;
  } catch (error) {
    let reason: string;
    if (error instanceof BuildFailure || error instanceof EnvError) reason = error.message;
    else reason = `internal error: ${(error as Error)?.message ?? String(error)}`;
    if (stopped) reason = `${reason} (the build job was stopped by ${stopped})`;
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
