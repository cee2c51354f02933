import { ApiClient } from '../api-client.js';
import { connect, tenantUrl } from '../connection.js';
import { ensureProject } from '../deploy.js';
import { printResult } from '../output.js';
import { ask } from '../prompt.js';
import { UsageError } from '../usage-error.js';
import { table } from './read.js';

interface ProjectRow {
  name: string;
  status: string;
  liveDeploymentId?: string;
  url?: string;
}

/** `slipway projects`: every project you can see, with a header row. */
export async function projectsCommand(args: { json: boolean }): Promise<number> {
  const connection = await connect();
  const result = await new ApiClient(connection).get<{ projects: ProjectRow[] }>('/projects');
  printResult(args.json, result, () =>
    result.projects.length === 0
      ? ['no projects yet: slipway link (in your app directory) or slipway projects create NAME']
      : table(
          ['NAME', 'STATUS', 'LIVE', 'URL'],
          result.projects.map((p) => [p.name, p.status, p.liveDeploymentId ?? '-', p.url ?? tenantUrl(p.name, connection.port)]),
        ),
  );
  return 0;
}

/** `slipway projects create NAME`: creates the project and waits until it is READY. */
export async function createProjectCommand(args: { name: string; json: boolean }): Promise<number> {
  const api = new ApiClient(await connect());
  const { project } = await api.post<{ project: ProjectRow }>('/projects', { name: args.name });
  (args.json ? process.stderr : process.stdout).write(`slipway: creating project ${project.name}\n`);
  await ensureProject(api, args.name);
  const ready = await api.get<{ project: ProjectRow }>(`/projects/${args.name}`);
  printResult(args.json, ready, () => [`slipway: project ${args.name} is ready; deploy to it: slipway link --project ${args.name}`]);
  return 0;
}

/**
 * `slipway projects delete NAME [--yes]`: on a terminal the name must be typed again; elsewhere
 * --yes says the same. The platform removes its stack, files and deployments.
 */
export async function deleteProjectCommand(args: { name: string; yes: boolean; json: boolean }): Promise<number> {
  if (!args.yes) {
    if (!process.stdin.isTTY) throw new UsageError(`projects delete ${args.name} needs --yes when not run on a terminal`);
    const typed = await ask(`This deletes ${args.name}, its deployments and its URL. Type the project's name to go on: `);
    if (typed !== args.name) {
      process.stderr.write(`slipway: "${typed}" is not ${args.name}; nothing deleted\n`);
      return 1;
    }
  }
  const result = await new ApiClient(await connect()).request<{ project: string; status: string }>(
    'DELETE',
    `/projects/${encodeURIComponent(args.name)}`,
  );
  printResult(args.json, result, () => [
    `slipway: deleting ${args.name}: its stack, files and deployments go (\`slipway projects\` shows when)`,
  ]);
  return 0;
}
