import { basename } from 'node:path';
import { ApiClient } from '../api-client.js';
import { connect } from '../connection.js';
import { ensureProject } from '../deploy.js';
import { printResult } from '../output.js';
import { checkProjectName } from '../project-option.js';
import { LINK_DIR, LINK_FILE, writeProjectLink } from '../project-link.js';

/** A project name made from a directory's name: lower case, runs of other characters as one "-". */
export function projectNameFor(dir: string): string {
  const name = basename(dir)
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return name.length >= 3 ? name : `app-${name || 'site'}`;
}

/**
 * `slipway link [--project NAME]`: ties the current directory to a project (created when it does not
 * exist, so `env set` works before the first deploy) by writing `.slipway/project.json`.
 */
export async function linkCommand(args: { project?: string; json: boolean }): Promise<number> {
  const dir = process.cwd();
  const project =
    args.project === undefined ? checkProjectName(projectNameFor(dir), 'the name') : checkProjectName(args.project, '--project');
  const say = (line: string) => (args.json ? process.stderr : process.stdout).write(`${line}\n`);
  const api = new ApiClient(await connect());
  let created = false;
  await ensureProject(api, project, {
    onStep: (message) => {
      created = true;
      say(`slipway: ${message}`);
    },
  });
  await writeProjectLink(dir, project);
  printResult(args.json, { project, dir, created }, () => [
    `slipway: linked ${dir} to project ${project} (${LINK_DIR}/${LINK_FILE}, git-ignored); next: slipway deploy`,
  ]);
  return 0;
}
