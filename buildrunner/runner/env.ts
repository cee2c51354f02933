import { resolve } from 'node:path';
import * as v from 'valibot';
import { PROJECT_NAME_PATTERN } from '../../handlers/lib/names.js';

/** Where the build's log chunks and bundle go; read first so even a bad environment can be reported there. */
export interface BuildTarget {
  buildBucket: string;
  buildId: string;
}

export interface RunnerConfig extends BuildTarget {
  project: string;
  sourceBucket: string;
  sourceKey: string;
  workspace: string;
  /** Passed to the install and build children when set. */
  npmRegistry?: string;
  /** Secret values that must never appear in a log line. */
  secrets: string[];
  /**
   * The user the app's install and build run as, when the runner itself runs as root (the
   * container image): another user cannot read the runner's environment (credentials)
   * through /proc, nor change the runner's files.
   */
  buildUser?: { uid: number; gid: number };
}

/** The environment is incomplete or malformed; the message names the variable. */
export class EnvError extends Error {
  override name = 'EnvError';
}

const nonEmpty = v.pipe(v.string('is not set'), v.trim(), v.minLength(1, 'is empty'));
const bucket = v.pipe(nonEmpty, v.regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'is not a valid bucket name'));

const TargetEnv = v.object({
  SLIPWAY_BUILD_BUCKET: bucket,
  SLIPWAY_BUILD_ID: v.pipe(nonEmpty, v.regex(/^d-[A-Za-z0-9-]{1,80}$/, 'must look like d-<timestamp36>-<random>')),
});

const RunnerEnv = v.object({
  ...TargetEnv.entries,
  SLIPWAY_PROJECT: v.pipe(nonEmpty, v.regex(PROJECT_NAME_PATTERN, 'is not a valid project name')),
  SLIPWAY_SOURCE_BUCKET: bucket,
  SLIPWAY_SOURCE_KEY: v.pipe(nonEmpty, v.maxLength(1024, 'is too long')),
  SLIPWAY_WORKSPACE: v.optional(nonEmpty),
  npm_config_registry: v.optional(v.pipe(v.string(), v.trim(), v.url('is not a URL'))),
  SLIPWAY_BUILD_UID: v.optional(v.pipe(v.string(), v.regex(/^[1-9][0-9]{0,9}$/, 'must be a non-zero user id'))),
  SLIPWAY_BUILD_GID: v.optional(v.pipe(v.string(), v.regex(/^[1-9][0-9]{0,9}$/, 'must be a non-zero group id'))),
});

type Env = Record<string, string | undefined>;

function parse<T extends v.GenericSchema>(schema: T, env: Env): v.InferOutput<T> {
  // Only the keys the schema knows are looked at, and a failing value is never echoed.
  const result = v.safeParse(schema, env);
  if (result.success) return result.output;
  const issue = result.issues[0];
  const name = v.getDotPath(issue) ?? 'environment';
  const message = env[name] === undefined ? 'is not set' : issue.message;
  throw new EnvError(`environment variable ${name} ${message}`);
}

export function readBuildTarget(env: Env = process.env): BuildTarget {
  const parsed = parse(TargetEnv, env);
  return { buildBucket: parsed.SLIPWAY_BUILD_BUCKET, buildId: parsed.SLIPWAY_BUILD_ID };
}

export function readRunnerConfig(env: Env = process.env, cwd: string = process.cwd()): RunnerConfig {
  const parsed = parse(RunnerEnv, env);
  const secrets = [env.AWS_SECRET_ACCESS_KEY, env.AWS_SESSION_TOKEN].filter(
    (value): value is string => typeof value === 'string' && value.length >= 8,
  );
  return {
    buildBucket: parsed.SLIPWAY_BUILD_BUCKET,
    buildId: parsed.SLIPWAY_BUILD_ID,
    project: parsed.SLIPWAY_PROJECT,
    sourceBucket: parsed.SLIPWAY_SOURCE_BUCKET,
    sourceKey: parsed.SLIPWAY_SOURCE_KEY,
    workspace: resolve(cwd, parsed.SLIPWAY_WORKSPACE ?? '.'),
    ...(parsed.npm_config_registry ? { npmRegistry: parsed.npm_config_registry } : {}),
    ...(parsed.SLIPWAY_BUILD_UID && parsed.SLIPWAY_BUILD_GID
      ? { buildUser: { uid: Number(parsed.SLIPWAY_BUILD_UID), gid: Number(parsed.SLIPWAY_BUILD_GID) } }
      : {}),
    secrets,
  };
}
