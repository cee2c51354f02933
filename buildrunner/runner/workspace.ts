import { readFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { minimatch } from 'minimatch';
import { exists } from './package-manager.js';

/** A monorepo the app is a package of: dependencies are installed at its root, with its lockfile. */
export interface Workspace {
  /** The workspace's root folder. */
  root: string;
  /** The app's folder from the root, as a POSIX path (`apps/web`). */
  app: string;
  /** What declares the workspace: `pnpm-workspace.yaml` or `package.json workspaces`. */
  declaredBy: 'pnpm-workspace.yaml' | 'package.json workspaces';
}

/** The package folder patterns of a package.json (npm, yarn and bun: an array, or yarn's `{ packages }`). */
async function workspacePatterns(folder: string): Promise<string[] | undefined> {
  let pkg: { workspaces?: unknown };
  try {
    pkg = JSON.parse(await readFile(join(folder, 'package.json'), 'utf8')) as { workspaces?: unknown };
  } catch {
    return undefined;
  }
  const declared = Array.isArray(pkg.workspaces) ? pkg.workspaces : (pkg.workspaces as { packages?: unknown } | undefined)?.packages;
  if (!Array.isArray(declared)) return undefined;
  return declared.filter((pattern): pattern is string => typeof pattern === 'string');
}

/** Whether `app` (a POSIX path from the root) is one of the packages `patterns` name; `!` patterns take packages out. */
export function isWorkspacePackage(app: string, patterns: string[]): boolean {
  const clean = (pattern: string) => pattern.replace(/^\.\//, '').replace(/\/+$/, '');
  const included = patterns.filter((p) => !p.startsWith('!')).some((p) => minimatch(app, clean(p)));
  const excluded = patterns.filter((p) => p.startsWith('!')).some((p) => minimatch(app, clean(p.slice(1))));
  return included && !excluded;
}

/**
 * The workspace whose package `appDir` is, looking in the folders above it up to `stopAt` (included;
 * default: the filesystem root). pnpm's own rule decides for pnpm (the nearest `pnpm-workspace.yaml`);
 * for npm, yarn and bun the nearest package.json whose `workspaces` name the app's folder. Undefined
 * when the app stands alone.
 */
export async function findWorkspace(appDir: string, stopAt?: string): Promise<Workspace | undefined> {
  for (let folder = dirname(appDir); ; folder = dirname(folder)) {
    const app = relative(folder, appDir).split(sep).join('/');
    if (stopAt !== undefined && (relative(stopAt, folder).startsWith('..') || app === '')) return undefined;
    if (await exists(join(folder, 'pnpm-workspace.yaml'))) return { root: folder, app, declaredBy: 'pnpm-workspace.yaml' };
    const patterns = await workspacePatterns(folder);
    if (patterns && isWorkspacePackage(app, patterns)) return { root: folder, app, declaredBy: 'package.json workspaces' };
    if (folder === stopAt || dirname(folder) === folder) return undefined;
  }
}
