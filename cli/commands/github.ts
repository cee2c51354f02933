import { ApiClient } from '../api-client.js';
import { connect } from '../connection.js';
import { printResult } from '../output.js';

async function client(): Promise<ApiClient> {
  return new ApiClient(await connect());
}

function print(json: boolean, value: unknown, line: string): number {
  printResult(json, value, () => [line]);
  return 0;
}

/** `slipway github repos`: the repositories the caller's App installations let them link. */
export async function githubReposCommand(args: { json: boolean }): Promise<number> {
  const result = await (await client()).get<{ repositories: { repository: string; installationId: number }[] }>('/github/repositories');
  const lines = result.repositories.map((r) => `${r.repository}\t(installation ${r.installationId})`);
  return print(args.json, result, lines.length ? lines.join('\n') : 'no repositories: install the GitHub App on some first');
}

/** `slipway github link --project NAME REPOSITORY [--branch BRANCH]`: pushes to REPOSITORY then deploy the project. */
export async function githubLinkCommand(args: { project: string; repository: string; branch?: string; json: boolean }): Promise<number> {
  const body = { repository: args.repository, ...(args.branch ? { productionBranch: args.branch } : {}) };
  const result = await (await client()).request<{ project: { name: string; repository?: string; productionBranch?: string } }>(
    'PUT',
    `/projects/${encodeURIComponent(args.project)}/repository`,
    body,
  );
  const branch = result.project.productionBranch ?? 'the default branch';
  return print(
    args.json,
    result,
    `slipway: ${args.project} deploys ${result.project.repository} (production: ${branch}, other branches: previews)`,
  );
}

/** `slipway approve --project NAME --deployment ID`: redeploys a fork's preview with the project's secrets. */
export async function approveCommand(args: { project: string; deployment: string; json: boolean }): Promise<number> {
  const result = await (await client()).post<{ deployment: { id: string } }>(
    `/projects/${encodeURIComponent(args.project)}/deployments/${encodeURIComponent(args.deployment)}/approve`,
    {},
  );
  return print(args.json, result, `slipway: approved ${args.deployment}; deploying it with secrets as ${result.deployment.id}`);
}
