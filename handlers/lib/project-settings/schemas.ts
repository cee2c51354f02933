import * as v from 'valibot';
import { ENV_NAME_PATTERN, ROOT_DIRECTORY_PATTERN } from '../names.js';

/** Node majors a build and a tenant function can run on. */
export const NODE_VERSIONS = ['20', '22'] as const;

const command = (what: string) =>
  v.pipe(
    v.string('must be a string'),
    v.minLength(1, 'must not be empty (send null to go back to the default)'),
    v.maxLength(500, `exceeds the ${what} limit of 500 characters`),
    v.regex(/^[^\0\r\n]*$/, 'must be one line'),
  );

/** A folder of the source, relative: no leading `/`, no `.` or `..` segment, no backslash. */
export const RootDirectory = v.pipe(
  v.string('must be a string'),
  v.maxLength(200, 'exceeds the limit of 200 characters'),
  v.regex(ROOT_DIRECTORY_PATTERN, 'must be a relative folder path like "apps/web" (no leading "/", no "." or ".." segments)'),
);

export const ProjectSettings = v.object({
  buildCommand: v.optional(command('build command')),
  installCommand: v.optional(command('install command')),
  rootDirectory: v.optional(RootDirectory),
  nodeVersion: v.optional(v.picklist(NODE_VERSIONS, `must be one of ${NODE_VERSIONS.join(', ')}`)),
});
export type ProjectSettings = v.InferOutput<typeof ProjectSettings>;

/** PATCH body: each field set, or null to go back to the default; at least one field. */
export const SettingsPatch = v.strictObject({
  buildCommand: v.optional(v.nullable(command('build command'))),
  installCommand: v.optional(v.nullable(command('install command'))),
  rootDirectory: v.optional(v.nullable(RootDirectory)),
  nodeVersion: v.optional(v.nullable(v.picklist(NODE_VERSIONS, `must be one of ${NODE_VERSIONS.join(', ')}`))),
});
export type SettingsPatch = v.InferOutput<typeof SettingsPatch>;

// ---- environment variables ----

export const ENV_TARGETS = ['build', 'runtime', 'both'] as const;
export type EnvTarget = (typeof ENV_TARGETS)[number];

/** Largest value (bytes, UTF-8); AWS Lambda allows 4 KB for a function's whole environment. */
export const MAX_ENV_VALUE_BYTES = 4096;
/** Variables per project. */
export const MAX_ENV_VARIABLES = 100;
/** Sum of names and values of the runtime variables: the tenant function's environment on AWS Lambda is at most 4 KB. */
export const MAX_RUNTIME_ENV_BYTES = 4096;

/** Names the platform sets or the runtime owns: a project may not override them. */
const RESERVED_NAMES = new Set([
  'NODE_OPTIONS',
  'NODE_ENV',
  'PATH',
  'HOME',
  'TMPDIR',
  'TZ',
  'CI',
  'LD_PRELOAD',
  'LD_LIBRARY_PATH',
  'PWD',
  'SHELL',
  'USER',
]);
const RESERVED_PREFIXES = ['AWS_', 'SLIPWAY_', 'LAMBDA_', '_', 'NPM_CONFIG_', 'COREPACK_', 'YARN_'];

export function reservedEnvName(name: string): string | undefined {
  const upper = name.toUpperCase();
  if (RESERVED_NAMES.has(upper)) return `${name} is reserved by the platform`;
  const prefix = RESERVED_PREFIXES.find((p) => upper.startsWith(p));
  return prefix ? `names starting with ${prefix} are reserved by the platform` : undefined;
}

export const EnvKey = v.pipe(
  v.string('must be a string'),
  v.regex(
    ENV_NAME_PATTERN,
    'must be an environment variable name: letters, digits and "_", not starting with a digit, at most 128 characters',
  ),
);

export const PutEnvBody = v.strictObject({
  value: v.pipe(
    v.string('must be a string'),
    v.maxLength(MAX_ENV_VALUE_BYTES, `exceeds the value limit of ${MAX_ENV_VALUE_BYTES} bytes`),
    v.regex(/^[^\0]*$/, 'must not contain NUL characters'),
  ),
  secret: v.optional(v.boolean('must be true or false')),
  target: v.optional(v.picklist(ENV_TARGETS, `must be one of ${ENV_TARGETS.join(', ')}`)),
});

/** What the schemas cannot say in JSON Schema: reserved names, the byte size. A message, or undefined when fine. */
export function envProblem(name: string, value: string): { field: 'path.key' | 'body.value'; message: string } | undefined {
  const reserved = reservedEnvName(name);
  if (reserved) return { field: 'path.key', message: `path.key is invalid: ${reserved}` };
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes > MAX_ENV_VALUE_BYTES)
    return {
      field: 'body.value',
      message: `body.value is invalid: ${bytes} bytes exceeds the value limit of ${MAX_ENV_VALUE_BYTES} bytes`,
    };
  return undefined;
}

export const reachesBuild = (target: EnvTarget) => target !== 'runtime';
export const reachesRuntime = (target: EnvTarget) => target !== 'build';

// ---- custom domains ----

/**
 * A public host name: lowercase labels of a–z, 0–9 and "-", at least two, a letter-only TLD, at
 * most 253 characters. `localhost` and `.localhost` names are the platform's own.
 */
export const DomainName = v.pipe(
  v.string('must be a string'),
  v.maxLength(253, 'exceeds the host name limit of 253 characters'),
  v.regex(
    /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
    'must be a lowercase host name like "www.example.com" (no scheme, port, path or trailing dot)',
  ),
);

export const AddDomainBody = v.strictObject({ domain: DomainName });
