import { spawn } from 'node:child_process';
import { ApiClient } from '../api-client.js';
import { connect, tenantUrl } from '../connection.js';
import { printResult } from '../output.js';

/** The platform's own opener: three commands do not earn a dependency. */
function openerFor(platform: NodeJS.Platform): [string, string[]] | undefined {
  if (platform === 'darwin') return ['open', []];
  if (platform === 'win32') return ['cmd', ['/c', 'start', '""']];
  // Linux and the BSDs: only with a desktop session to show a browser in.
  return process.env.DISPLAY || process.env.WAYLAND_DISPLAY ? ['xdg-open', []] : undefined;
}

/** Starts the browser on `url`; whether an opener was started (its failure is not waited for). */
function openInBrowser(url: string): boolean {
  const opener = openerFor(process.platform);
  if (!opener) return false;
  const child = spawn(opener[0], [...opener[1], url], { stdio: 'ignore', detached: true });
  child.on('error', () => undefined);
  child.unref();
  return true;
}

/**
 * `slipway open [--preview ALIAS]`: the project's live URL (or the preview's; the dashboard where no
 * project is linked or named) in the browser on a terminal with a desktop, and printed in every case
 * (alone on stdout when piped).
 */
export async function openCommand(args: { project?: string; preview?: string; json: boolean }): Promise<number> {
  const connection = await connect();
  const api = new ApiClient(connection);
  let url: string;
  if (args.project === undefined) {
    // No project here: the dashboard, which the API's origin serves.
    url = `${connection.apiUrl.replace(/\/api\/v1$/, '')}/`;
  } else if (args.preview) {
    const { deployments } = await api.get<{ deployments: Array<{ preview?: string; status: string; url?: string }> }>(
      `/projects/${args.project}/deployments`,
    );
    const live = deployments.find((d) => d.preview === args.preview && d.status === 'LIVE');
    if (!live) throw new Error(`${args.project} has no live preview ${args.preview}: slipway deploy --preview ${args.preview}`);
    url = live.url ?? tenantUrl(`${args.project}--${args.preview}`, connection.port);
  } else {
    const { project } = await api.get<{ project: { liveDeploymentId?: string; url?: string } }>(`/projects/${args.project}`);
    if (!project.liveDeploymentId) throw new Error(`${args.project} has nothing live yet: slipway deploy`);
    url = project.url ?? tenantUrl(args.project, connection.port);
  }
  const opened = !args.json && process.stdout.isTTY && openInBrowser(url);
  printResult(args.json, { url }, () => [opened ? `slipway: opening ${url}` : url]);
  return 0;
}
