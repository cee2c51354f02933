import { realpath, stat } from 'node:fs/promises';
import { relative, resolve, sep, isAbsolute } from 'node:path';
import { DeleteObjectCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import * as v from 'valibot';
import { s3Client } from './s3-client.js';
import { ENV_NAME_PATTERN, ROOT_DIRECTORY_PATTERN } from '../../handlers/lib/names.js';
import type { Invocation, PackageManagerPlan } from './package-manager.js';

/**
 * The project's settings and build-time variables for this build, as the pipeline's *Prepare build*
 * step wrote them to `builds/<id>/env.json` (handlers/pipeline/prepare-build.ts). Read once and
 * deleted before any user code runs, so neither the app's scripts nor a later reader find it.
 */
export const ProjectConfig = v.object({
  version: v.literal(1),
  settings: v.object({
    buildCommand: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(500))),
    installCommand: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(500))),
    rootDirectory: v.optional(v.pipe(v.string(), v.maxLength(200), v.regex(ROOT_DIRECTORY_PATTERN))),
    nodeVersion: v.optional(v.string()),
  }),
  variables: v.record(v.pipe(v.string(), v.regex(ENV_NAME_PATTERN)), v.string()),
  secrets: v.array(v.string()),
});
export type ProjectConfig = v.InferOutput<typeof ProjectConfig>;

export const EMPTY_PROJECT_CONFIG: ProjectConfig = { version: 1, settings: {}, variables: {}, secrets: [] };

export function projectConfigKey(buildId: string): string {
  return `builds/${buildId}/env.json`;
}

/** The config object, deleted once read; the empty config when the pipeline wrote none. */
export async function takeProjectConfig(bucket: string, buildId: string): Promise<ProjectConfig> {
  const Key = projectConfigKey(buildId);
  let text: string;
  try {
    const response = await s3Client().send(new GetObjectCommand({ Bucket: bucket, Key }));
    text = (await response.Body?.transformToString('utf8')) ?? '';
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'NoSuchKey' || name === 'NotFound') return EMPTY_PROJECT_CONFIG;
    throw new Error(`could not read the project settings of this build: ${(error as Error).message}`);
  }
  await s3Client().send(new DeleteObjectCommand({ Bucket: bucket, Key }));
  const parsed = v.safeParse(ProjectConfig, JSON.parse(text));
  // The values are secrets: name the field, never echo the input.
  if (!parsed.success) throw new Error(`the project settings of this build are invalid at ${v.getDotPath(parsed.issues[0]) ?? '(root)'}`);
  return parsed.output;
}

/** The secret values to redact from the log; each line of a multi-line secret too, since the log redacts line by line. */
export function secretValues(config: ProjectConfig): string[] {
  const values: string[] = [];
  for (const name of config.secrets) {
    const value = config.variables[name];
    if (!value) continue;
    values.push(value);
    for (const line of value.split(/\r\n|\n|\r/)) if (line.length >= 4 && line !== value) values.push(line);
  }
  return values;
}

/** A user command, run by the shell (it may hold `&&`, arguments, variables) in the app folder. */
export function shellInvocation(command: string): Invocation {
  return { command: 'sh', args: ['-c', command], label: command };
}

/** The package manager plan with the project's own install and build commands, where it has them. */
export function withProjectCommands(plan: PackageManagerPlan, settings: ProjectConfig['settings']): PackageManagerPlan {
  return {
    ...plan,
    ...(settings.installCommand ? { install: shellInvocation(settings.installCommand) } : {}),
    ...(settings.buildCommand ? { build: shellInvocation(settings.buildCommand) } : {}),
  };
}

/** The failure of a setting: the message names it. */
export class SettingsError extends Error {
  override name = 'SettingsError';
}

/**
 * The folder the app builds in: `rootDirectory` below the source's app folder, which must exist and
 * must stay inside the source once links are resolved (an archive may carry a link pointing out).
 */
export async function resolveRootDirectory(sourceDir: string, rootDirectory: string | undefined): Promise<string> {
  if (!rootDirectory) return sourceDir;
  const wanted = resolve(sourceDir, rootDirectory);
  let real: string;
  try {
    real = await realpath(wanted);
    if (!(await stat(real)).isDirectory()) throw new Error('not a directory');
  } catch {
    throw new SettingsError(`rootDirectory "${rootDirectory}" is not a folder of the source`);
  }
  const inside = relative(await realpath(sourceDir), real);
  if (inside.startsWith('..') || isAbsolute(inside) || inside.split(sep).includes('..')) {
    throw new SettingsError(`rootDirectory "${rootDirectory}" leads outside the source`);
  }
  return real;
}
