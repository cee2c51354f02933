import { resolve } from 'node:path';
import { ApiClient } from '../api-client.js';
import { connect, tenantUrl } from '../connection.js';
import { DeployFailed, deployDirectory } from '../deploy.js';

export async function deployCommand(args: { dir: string; project: string; json: boolean }): Promise<number> {
  const connection = await connect();
  const api = new ApiClient(connection);
  const say = (line: string) => (args.json ? process.stderr : process.stdout).write(`${line}\n`);
  try {
    const deployment = await deployDirectory(api, {
      dir: resolve(args.dir),
      project: args.project,
      onStep: (message) => say(`slipway: ${message}`),
      onLog: (text) => (args.json ? process.stderr : process.stdout).write(text),
    });
    const { project } = await api.get<{ project: { url?: string } }>(`/projects/${args.project}`);
    const url = project.url ?? tenantUrl(args.project, connection.port);
    if (args.json) process.stdout.write(`${JSON.stringify({ deployment, url })}\n`);
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
