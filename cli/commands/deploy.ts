import { resolve } from 'node:path';
import { ApiClient } from '../api-client.js';
import { connect, tenantUrl } from '../connection.js';
import { DeployFailed, deployDirectory } from '../deploy.js';

export async function deployCommand(args: { dir: string; project: string; preview?: string; json: boolean }): Promise<number> {
  const connection = await connect();
  const api = new ApiClient(connection);
  const say = (line: string) => (args.json ? process.stderr : process.stdout).write(`${line}\n`);
  try {
    const deployment = await deployDirectory(api, {
      dir: resolve(args.dir),
      project: args.project,
      ...(args.preview ? { preview: args.preview } : {}),
      onStep: (message) => say(`slipway: ${message}`),
      onLog: (text) => (args.json ? process.stderr : process.stdout).write(text),
    });
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
    if (error instanceof DeployFailed) {
      if (args.json) process.stdout.write(`${JSON.stringify({ deployment: error.deployment })}\n`);
      process.stderr.write(`slipway: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
