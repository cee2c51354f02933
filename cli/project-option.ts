import * as v from 'valibot';
import { DeploymentId, ProjectName } from '../handlers/lib/names.js';
import { findProjectLink } from './project-link.js';
import { UsageError } from './usage-error.js';

/** A project name checked as the API would check it, the refusal naming what the user typed (`--project`, `NAME`). */
export function checkProjectName(name: string, what: string): string {
  const parsed = v.safeParse(ProjectName, name);
  if (!parsed.success) throw new UsageError(`${what} "${name}" is not a project name: it ${parsed.issues[0].message}`);
  return name;
}

/** A deployment id checked before it is sent. */
export function checkDeploymentId(id: string, what: string): string {
  if (!v.is(DeploymentId, id))
    throw new UsageError(`${what} "${id}" is not a deployment id (they look like d-m1abc23-x7y2; see \`slipway deployments\`)`);
  return id;
}

/** `--project NAME`, else the project `slipway link` linked this directory (or one above it) to. */
export async function resolveProject(given: string | undefined): Promise<string> {
  if (given !== undefined) return checkProjectName(given, '--project');
  const linked = await findProjectLink();
  if (!linked) throw new UsageError('no project here: run `slipway link` in your app directory, or add --project NAME');
  return linked.project;
}
