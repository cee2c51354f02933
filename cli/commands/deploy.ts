import { resolve } from 'node:path';
import { ApiClient } from '../api-client.js';
import { connect, tenantUrl } from '../connection.js';
import { DeployFailed, deployDirectory } from '../deploy.js';
import { startProgress } from '../progress.js';
import { write } from '../terminal.js';

/**
 * `slipway deploy [DIR]`: the build log as it comes and, on a terminal, a spinner with the pipeline's
 * state and the time taken; then the URL. With --json, messages and the log go to stderr and stdout
 * has one JSON object.
 */
export async function deployCommand(args: { dir: string; project: string; preview?: string; json: boolean }): Promise<number> {
  const connection = await connect();
  const api = new ApiClient(connection);
  const messages = args.json ? process.stderr : process.stdout;
  const say = (line: string) => messages.write(`${line}\n`);
  const progress = startProgress(
    process.stderr,
    args.preview ? `deploying ${args.project} preview ${args.preview}` : `deploying ${args.project}`,
  );
  try {
    const deployment = await deployDirectory(api, {
      dir: resolve(args.dir),
      project: args.project,
      ...(args.preview ? { preview: args.preview } : {}),
      onStep: (message) => say(`slipway: ${message}`),
      onLog: (text) => write(messages, text),
      onState: (state) => progress.state(state),
    });
    progress.stop();
    let url: string;
    if (args.preview) {
      // A preview answers at its own host; production is untouched.
      url = deployment.url ?? tenantUrl(`${args.project}--${args.preview}`, connection.port);
    } else {
      const { project } = await api.get<{ project: { url?: string } }>(`/projects/${args.project}`);
      url = project.url ?? tenantUrl(args.project, connection.port);
    }
    if (args.json) process.stdout.write(`${JSON.stringify({ deployment, url })}\n`);
    else if (args.preview) say(`slipway: deployment ${deployment.id} is live as preview ${args.preview} at ${url}`);
    else say(`slipway: deployment ${deployment.id} is live at ${url}`);
    return 0;
  } catch (error) {
    progress.stop();
    if (error instanceof DeployFailed) {
      if (args.json) process.stdout.write(`${JSON.stringify({ deployment: error.deployment })}\n`);
      process.stderr.write(`slipway: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
