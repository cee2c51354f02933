import { existsSync } from 'node:fs';
import { delimiter, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * Variables copied from the runner's environment into the app's install and build, and nothing else
 * (the TLS trust settings are file paths: a machine behind a TLS-inspecting proxy needs them).
 */
const PASSED_THROUGH = [
  'PATH',
  'HOME',
  'LANG',
  'LC_ALL',
  'LC_CTYPE',
  'TERM',
  'TZ',
  'npm_config_cache',
  'NODE_EXTRA_CA_CERTS',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
] as const;

export interface ChildEnvOptions {
  /** The runner's own environment, source of the pass-through basics. */
  parent: Record<string, string | undefined>;
  workspace: string;
  /** Scratch folder of the children (TMPDIR), inside the workspace: the sandbox's /tmp may be read-only. */
  tmpDir?: string;
  npmRegistry?: string;
  /** Extra variables of the package manager plan. */
  extra?: Record<string, string>;
  /** The project's build-time variables (secrets included); the platform's own values override them. */
  project?: Record<string, string>;
}

function base(options: ChildEnvOptions): Record<string, string> {
  const env: Record<string, string> = { ...options.project };
  for (const name of PASSED_THROUGH) {
    const value = options.parent[name];
    if (value) env[name] = value;
  }
  env.HOME ??= options.workspace;
  if (options.tmpDir) env.TMPDIR = options.tmpDir;
  // The node that runs the runner also runs npm and the app's scripts.
  const nodeDir = dirname(process.execPath);
  const path = env.PATH ? env.PATH.split(delimiter) : [];
  if (!path.includes(nodeDir)) env.PATH = [nodeDir, ...path].join(delimiter);
  env.CI = '1';
  env.npm_config_update_notifier = 'false';
  env.npm_config_fund = 'false';
  env.npm_config_audit = 'false';
  if (options.npmRegistry) {
    env.npm_config_registry = options.npmRegistry;
    env.COREPACK_NPM_REGISTRY = options.npmRegistry.replace(/\/$/, '');
    env.YARN_NPM_REGISTRY_SERVER = options.npmRegistry;
  }
  return { ...env, ...options.extra };
}

/** Environment of the dependency install: basics only (install scripts stay enabled). */
export function installEnv(options: ChildEnvOptions): Record<string, string> {
  return base(options);
}

export interface BuildEnvOptions extends ChildEnvOptions {
  /** Where the Slipway adapter writes the bundle (SLIPWAY_ADAPTER_OUT). */
  outDir: string;
  /** The adapter hook module loaded into every node process of the build, or null when missing. */
  registerHook: string | null;
}

/** Environment of the app's build script: the basics plus the adapter hook and its output folder. */
export function buildEnv(options: BuildEnvOptions): Record<string, string> {
  const env = base(options);
  env.NODE_ENV = 'production';
  env.SLIPWAY_ADAPTER_OUT = options.outDir;
  if (options.registerHook) env.NODE_OPTIONS = `--import ${pathToFileURL(options.registerHook).href}`;
  return env;
}

/** The compiled adapter hook beside this runner (dist/buildrunner/adapter/register.js), if it is there. */
export function findRegisterHook(): string | null {
  const path = fileURLToPath(new URL('../adapter/register.js', import.meta.url));
  return existsSync(path) ? path : null;
}
