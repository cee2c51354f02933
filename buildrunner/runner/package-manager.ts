import { access, readFile } from 'node:fs/promises';
import { constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export type PackageManagerName = 'npm' | 'pnpm' | 'yarn' | 'bun';

export interface Invocation {
  command: string;
  args: string[];
  /** How the step is named in log lines and failure reasons, e.g. `npm ci`. */
  label: string;
}

export interface PackageManagerPlan {
  name: PackageManagerName;
  /** The lockfile that decided it, or null when there is none. */
  lockfile: string | null;
  install: Invocation;
  build: Invocation;
  /** How the tool is reached when it is not the one on PATH, e.g. `npx --yes pnpm@9`. */
  via?: string;
  /** Extra environment for both steps (corepack settings). */
  env: Record<string, string>;
  /**
   * What runs when the lockfile-exact install refuses a lockfile out of date with package.json
   * (`refusal` matches its output): the same manager's install that updates the lockfile, which
   * is what Vercel runs for every lockfile (https://vercel.com/docs/package-managers).
   */
  relaxed?: RelaxedInstall;
}

export interface RelaxedInstall {
  install: Invocation;
  refusal: RegExp;
  /** Extra environment for the relaxed install only. */
  env?: Record<string, string>;
}

export interface DetectOptions {
  /** Whether a command is on PATH; defaults to a PATH lookup. */
  hasCommand?: (name: string) => Promise<boolean>;
}

/** Whether something is at `path` (any type; unreadable counts as absent). */
export async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

export function commandOnPath(path: string | undefined): (name: string) => Promise<boolean> {
  return async (name) => {
    for (const dir of (path ?? '').split(delimiter)) {
      if (!dir) continue;
      try {
        await access(join(dir, name), constants.X_OK);
        return true;
      } catch {
        // not here
      }
    }
    return false;
  };
}

/** The `packageManager` field of package.json (`pnpm@9.1.0+sha…`), when it names `name`. */
async function pinnedVersion(dir: string, name: PackageManagerName): Promise<string | undefined> {
  try {
    const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { packageManager?: unknown };
    if (typeof pkg.packageManager !== 'string') return undefined;
    const match = /^(npm|pnpm|yarn|bun)@(\d+\.\d+\.\d+[^+\s]*)/.exec(pkg.packageManager);
    return match && match[1] === name ? match[2] : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The Yarn major that wrote a Yarn 2+ lockfile (its `__metadata.version`), for corepack. Not the
 * `stable` tag: corepack resolves tags from the configured npm registry, whose package has none of that name.
 */
function berryMajor(lock: string): string {
  const version = /^__metadata:\s*\n\s+version:\s*(\d+)/m.exec(lock)?.[1];
  return version === '4' ? '2' : version === '5' || version === '6' ? '3' : '4';
}

/**
 * How each manager's lockfile-exact install says the lockfile does not match package.json (and
 * nothing else: a network or registry failure must not be retried as a different install).
 */
export const REFUSALS = {
  npm: /`npm ci` can only install packages when your package\.json and (?:package-lock\.json|npm-shrinkwrap\.json)/,
  pnpm: /ERR_PNPM_OUTDATED_LOCKFILE/,
  yarn: /Your lockfile needs to be updated, but yarn was run with `--frozen-lockfile`/,
  yarnBerry: /YN0028: .*The lockfile would have been modified by this install/,
  bun: /lockfile had changes, but lockfile is frozen/,
} as const;

function inv(command: string, args: string[], label: string): Invocation {
  return { command, args, label };
}

/** Picks the package manager from the app's lockfile, and how to install and build with it. */
export async function detectPackageManager(dir: string, options: DetectOptions = {}): Promise<PackageManagerPlan> {
  const hasCommand = options.hasCommand ?? commandOnPath(process.env.PATH);

  for (const lockfile of ['package-lock.json', 'npm-shrinkwrap.json']) {
    if (await exists(join(dir, lockfile))) {
      return {
        name: 'npm',
        lockfile,
        install: inv('npm', ['ci'], 'npm ci'),
        build: inv('npm', ['run', 'build'], 'npm run build'),
        env: {},
        relaxed: { install: inv('npm', ['install'], 'npm install'), refusal: REFUSALS.npm },
      };
    }
  }

  if (await exists(join(dir, 'pnpm-lock.yaml'))) {
    const install = ['install', '--frozen-lockfile'];
    const build = ['run', 'build'];
    const plan = { name: 'pnpm' as const, lockfile: 'pnpm-lock.yaml', env: {} };
    const labels = { install: `pnpm ${install.join(' ')}`, build: `pnpm ${build.join(' ')}` };
    const relaxedArgs = ['install', '--no-frozen-lockfile'];
    const relaxedLabel = `pnpm ${relaxedArgs.join(' ')}`;
    if (await hasCommand('pnpm')) {
      return {
        ...plan,
        install: inv('pnpm', install, labels.install),
        build: inv('pnpm', build, labels.build),
        relaxed: { install: inv('pnpm', relaxedArgs, relaxedLabel), refusal: REFUSALS.pnpm },
      };
    }
    const spec = `pnpm@${(await pinnedVersion(dir, 'pnpm')) ?? '9'}`;
    return {
      ...plan,
      via: `npx --yes ${spec}`,
      install: inv('npx', ['--yes', spec, ...install], labels.install),
      build: inv('npx', ['--yes', spec, ...build], labels.build),
      relaxed: { install: inv('npx', ['--yes', spec, ...relaxedArgs], relaxedLabel), refusal: REFUSALS.pnpm },
    };
  }

  if (await exists(join(dir, 'yarn.lock'))) {
    const lock = await readFile(join(dir, 'yarn.lock'), 'utf8');
    // Yarn 2+ lockfiles carry a __metadata block; those projects need their own Yarn (corepack).
    const berry = /^__metadata:/m.test(lock) || (await exists(join(dir, '.yarnrc.yml')));
    const plan = { name: 'yarn' as const, lockfile: 'yarn.lock' };
    if (berry) {
      const install = ['install', '--immutable'];
      const labels = { install: `yarn ${install.join(' ')}`, build: 'yarn run build' };
      const spec = `yarn@${(await pinnedVersion(dir, 'yarn')) ?? berryMajor(lock)}`;
      return {
        ...plan,
        via: `corepack ${spec}`,
        install: inv('corepack', [spec, ...install], labels.install),
        build: inv('corepack', [spec, 'run', 'build'], labels.build),
        env: { COREPACK_ENABLE_DOWNLOAD_PROMPT: '0', COREPACK_ENABLE_STRICT: '0', YARN_ENABLE_TELEMETRY: '0' },
        // Yarn 2+ makes every install immutable where CI is set: the relaxed one says it is not.
        relaxed: {
          install: inv('corepack', [spec, 'install', '--no-immutable'], 'yarn install --no-immutable'),
          refusal: REFUSALS.yarnBerry,
          env: { YARN_ENABLE_IMMUTABLE_INSTALLS: 'false' },
        },
      };
    }
    const install = ['install', '--frozen-lockfile', '--non-interactive'];
    const labels = { install: `yarn ${install.join(' ')}`, build: 'yarn run build' };
    const relaxedArgs = ['install', '--non-interactive'];
    const relaxedLabel = `yarn ${relaxedArgs.join(' ')}`;
    if (await hasCommand('yarn')) {
      return {
        ...plan,
        install: inv('yarn', install, labels.install),
        build: inv('yarn', ['run', 'build'], labels.build),
        env: {},
        relaxed: { install: inv('yarn', relaxedArgs, relaxedLabel), refusal: REFUSALS.yarn },
      };
    }
    const spec = `yarn@${(await pinnedVersion(dir, 'yarn')) ?? '1'}`;
    return {
      ...plan,
      via: `npx --yes ${spec}`,
      install: inv('npx', ['--yes', spec, ...install], labels.install),
      build: inv('npx', ['--yes', spec, 'run', 'build'], labels.build),
      env: {},
      relaxed: { install: inv('npx', ['--yes', spec, ...relaxedArgs], relaxedLabel), refusal: REFUSALS.yarn },
    };
  }

  for (const lockfile of ['bun.lock', 'bun.lockb']) {
    if (!(await exists(join(dir, lockfile)))) continue;
    const install = ['install', '--frozen-lockfile'];
    const labels = { install: `bun ${install.join(' ')}`, build: 'bun run build' };
    if (await hasCommand('bun')) {
      return {
        name: 'bun',
        lockfile,
        install: inv('bun', install, labels.install),
        build: inv('bun', ['run', 'build'], labels.build),
        env: {},
        relaxed: { install: inv('bun', ['install'], 'bun install'), refusal: REFUSALS.bun },
      };
    }
    // The npm package `bun` carries the binary for this platform (an optional dependency), from the configured registry.
    const spec = `bun@${(await pinnedVersion(dir, 'bun')) ?? '1'}`;
    return {
      name: 'bun',
      lockfile,
      via: `npx --yes ${spec}`,
      install: inv('npx', ['--yes', spec, ...install], labels.install),
      build: inv('npx', ['--yes', spec, 'run', 'build'], labels.build),
      env: {},
      relaxed: { install: inv('npx', ['--yes', spec, 'install'], 'bun install'), refusal: REFUSALS.bun },
    };
  }

  return {
    name: 'npm',
    lockfile: null,
    install: inv('npm', ['install'], 'npm install'),
    build: inv('npm', ['run', 'build'], 'npm run build'),
    env: {},
  };
}
