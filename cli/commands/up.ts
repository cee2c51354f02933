import { existsSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { readFile } from 'node:fs/promises';
import { stripVTControlCharacters } from 'node:util';
import { packageRoot } from '../../infra/package-root.js';
import { startPlatform, type RunningPlatform } from '../../infra/local/platform.js';
import { PlatformAlreadyRunning } from '../../infra/local/platform-lock.js';
import { formatTransition } from '../../infra/local/deployment-transitions.js';
import type { OperatorSettings } from '../../infra/local/operator-settings.js';
import { ApiClient } from '../api-client.js';
import { slipwayHome, tenantUrl } from '../connection.js';
import { deployDirectory } from '../deploy.js';

/** The bundled example. */
export const EXAMPLE_DIR = join(packageRoot(), 'examples', 'hello');

/**
 * Colour only for a person at a terminal: not when the output is redirected, NO_COLOR is set
 * (no-color.org) or the terminal is dumb. Local to `up` until the CLI has one rule for all verbs.
 */
function colourWanted(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && !env.NO_COLOR && env.TERM !== 'dumb';
}

/** The state directory as the user would type it: relative below the working directory, else absolute. */
function shownPath(dir: string): string {
  const below = relative(process.cwd(), dir);
  return below === '' ? '.' : below.startsWith('..') || isAbsolute(below) ? dir : below;
}

/** Why the platform did not start, with the fix when there is one. */
function startFailure(error: NodeJS.ErrnoException, port: number): string {
  if (error.code === 'EADDRINUSE') return `port ${port} is in use by another program: start on another one with --port N (or SLIPWAY_PORT)`;
  return error.message;
}

function write(lines: string[]): void {
  process.stdout.write(`${lines.join('\n')}\n`);
}

export async function upCommand(args: {
  port: number;
  example: boolean;
  killAtState?: { machine: string; state: string };
  /** How many projects the route cache is sized for (`--route-cache-projects`). */
  routeCacheProjects: number;
  /** What the operator set in the environment (GitHub, public URL, sandbox caps). */
  settings: OperatorSettings;
}): Promise<number> {
  const home = slipwayHome();
  const firstStart = !existsSync(join(home, 'data'));
  const colour = colourWanted(process.stdout);
  let platform: RunningPlatform;
  try {
    platform = await startPlatform({
      ...args.settings,
      home,
      port: args.port,
      routeCacheProjects: args.routeCacheProjects,
      ...(args.killAtState ? { killAtState: args.killAtState } : {}),
      onDeploymentTransition: (transition) => write([formatTransition(transition, { colour })]),
    });
  } catch (error) {
    if (error instanceof PlatformAlreadyRunning) {
      process.stderr.write(`slipway: ${error.message}\n`);
      return 1;
    }
    // A start that failed part-way leaves servers listening that nothing will close: say why, and end.
    process.stderr.write(`slipway: ${startFailure(error as NodeJS.ErrnoException, args.port)}\n`);
    process.exit(1);
  }
  // Before anything else is awaited: a signal from now on closes the platform (and its claim).
  const stop = async () => {
    process.stdout.write('slipway: stopping\n');
    await platform.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());

  const shown = shownPath(home);
  if (firstStart) {
    write([
      `slipway: platform running (state in ${shown})`,
      `  dashboard  ${platform.url}`,
      `  API        ${platform.apiUrl}`,
      `  admin token in ${join(shown, 'admin.token')}`,
      `  deploy an app: cd your-app && slipway link && slipway deploy  →  http://NAME.localhost:${platform.port}/`,
      '',
    ]);
  } else {
    // A restart: where it runs, then what it serves.
    write([`slipway: platform running at ${platform.url} (API ${platform.apiUrl}, state in ${shown})`]);
    const live = await platform.liveProjects();
    if (live.length === 0) write(['slipway: no project is live yet: cd your-app && slipway link && slipway deploy']);
    const width = Math.max(0, ...live.map((entry) => entry.project.length));
    for (const entry of live) write([`  live  ${entry.project.padEnd(width)}  ${entry.deploymentId}  ${entry.url ?? ''}`.trimEnd()]);
  }

  if (firstStart && args.example && existsSync(EXAMPLE_DIR)) {
    const token = (await readFile(platform.adminTokenFile, 'utf8')).trim();
    const api = new ApiClient({ apiUrl: platform.apiUrl, token, port: platform.port });
    process.stdout.write('slipway: first start: deploying the example app as project "hello"\n');
    deployDirectory(api, {
      dir: EXAMPLE_DIR,
      project: 'hello',
      onLog: (text) => {
        // The build's own colours (Vite's) only reach a terminal.
        const lines = (colour ? text : stripVTControlCharacters(text)).split('\n').filter((line) => line.trim() !== '');
        if (lines.length > 0) write(lines.map((line) => `  [hello] ${line}`));
      },
    }).then(
      () => process.stdout.write(`slipway: example app is live at ${tenantUrl('hello', platform.port)}\n`),
      (error: Error) => process.stderr.write(`slipway: example deploy failed: ${error.message}\n`),
    );
  }
  // The servers keep the process alive until a signal arrives.
  return new Promise<number>(() => undefined);
}
