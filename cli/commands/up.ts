import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { readFile } from 'node:fs/promises';
import { packageRoot } from '../../infra/package-root.js';
import { startPlatform, type RunningPlatform } from '../../infra/local/platform.js';
import { PlatformAlreadyRunning } from '../../infra/local/platform-lock.js';
import type { OperatorSettings } from '../../infra/local/operator-settings.js';
import { ApiClient } from '../api-client.js';
import { slipwayHome, tenantUrl } from '../connection.js';
import { deployDirectory } from '../deploy.js';

/** The bundled example. */
export const EXAMPLE_DIR = join(packageRoot(), 'examples', 'hello');

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
  let platform: RunningPlatform;
  try {
    platform = await startPlatform({
      ...args.settings,
      home,
      port: args.port,
      routeCacheProjects: args.routeCacheProjects,
      ...(args.killAtState ? { killAtState: args.killAtState } : {}),
    });
  } catch (error) {
    if (!(error instanceof PlatformAlreadyRunning)) throw error;
    process.stderr.write(`slipway: ${error.message}\n`);
    return 1;
  }
  const shown = relative(process.cwd(), home) || '.';
  process.stdout.write(
    [
      `slipway: platform running (state in ${shown})`,
      `  dashboard  ${platform.url}`,
      `  API        ${platform.apiUrl}`,
      `  admin token in ${join(shown, 'admin.token')}`,
      `  deploy an app: npx slipway deploy DIR --project NAME  →  http://NAME.localhost:${platform.port}/`,
      '',
    ].join('\n'),
  );

  const stop = async () => {
    process.stdout.write('slipway: stopping\n');
    await platform.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());

  if (firstStart && args.example && existsSync(EXAMPLE_DIR)) {
    const token = (await readFile(platform.adminTokenFile, 'utf8')).trim();
    const api = new ApiClient({ apiUrl: platform.apiUrl, token, port: platform.port });
    process.stdout.write('slipway: first start: deploying the example app as project "hello"\n');
    deployDirectory(api, {
      dir: EXAMPLE_DIR,
      project: 'hello',
      onLog: (text) => {
        const lines = text.split('\n').filter((line) => line.trim() !== '');
        if (lines.length > 0) process.stdout.write(`${lines.map((line) => `  [hello] ${line}`).join('\n')}\n`);
      },
    }).then(
      () => process.stdout.write(`slipway: example app is live at ${tenantUrl('hello', platform.port)}\n`),
      (error: Error) => process.stderr.write(`slipway: example deploy failed: ${error.message}\n`),
    );
  }
  // The servers keep the process alive until a signal arrives.
  return new Promise<number>(() => undefined);
}
