import { existsSync } from 'node:fs';
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import * as v from 'valibot';
import { ProjectName } from '../handlers/lib/names.js';

/**
 * `.slipway/project.json` in an app directory: which project `slipway link` tied it to. The local
 * platform's state folder is also `.slipway` by default, but it holds other files (platform.json,
 * data/), so an app directory that is also a platform home keeps both apart.
 */
export const LINK_DIR = '.slipway';
export const LINK_FILE = 'project.json';

const ProjectLink = v.object({ project: ProjectName });

export interface LinkedProject {
  project: string;
  /** The app directory: the one holding `.slipway/project.json`. */
  dir: string;
}

/** The link of `start` or of the nearest folder above it that has one. */
export async function findProjectLink(start = process.cwd()): Promise<LinkedProject | undefined> {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    const file = join(dir, LINK_DIR, LINK_FILE);
    if (existsSync(file)) {
      const parsed = v.safeParse(ProjectLink, JSON.parse(await readFile(file, 'utf8')));
      if (!parsed.success) throw new Error(`${file} does not name a project: run \`slipway link --project NAME\` there again`);
      return { project: parsed.output.project, dir };
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/** Writes the link into `dir` and makes git ignore `.slipway/` there. */
export async function writeProjectLink(dir: string, project: string): Promise<void> {
  await mkdir(join(dir, LINK_DIR), { recursive: true });
  await writeFile(join(dir, LINK_DIR, LINK_FILE), `${JSON.stringify({ project }, null, 2)}\n`);
  const gitignore = join(dir, '.gitignore');
  const current = existsSync(gitignore) ? await readFile(gitignore, 'utf8') : '';
  const ignored = current.split(/\r?\n/).some((line) => ['.slipway', '.slipway/', '/.slipway', '/.slipway/'].includes(line.trim()));
  if (!ignored) await appendFile(gitignore, `${current && !current.endsWith('\n') ? '\n' : ''}.slipway/\n`);
}
