import { lstat, readdir, readFile } from 'node:fs/promises';
import { dirname, join, posix, relative, sep } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { alwaysLeftOut } from '../handlers/lib/source-left-out.js';

/** Where a rule that left something out comes from: `always`, or the `.gitignore` holding it (path from the packed folder). */
export interface LeftOutRule {
  source: string;
  pattern: string;
  /** Entries it left out (a folder counts once: nothing below it is read). */
  count: number;
}

export interface SourceFiles {
  /** Files and links to ship, as POSIX paths relative to the packed folder, in walk order. */
  files: string[];
  leftOut: LeftOutRule[];
}

interface RuleSet {
  /** The file the rules come from, as a path from the packed folder. */
  source: string;
  rules: Ignore;
  /** `path` (from the packed folder) as seen from the folder the rules belong to; null when it is not below it. */
  local: (path: string) => string | null;
}

async function readRules(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
}

const posixPath = (path: string) => path.split(sep).join('/');

/** The git repository's top folder at or above `dir` (the folder holding `.git`), if any. */
export async function gitTop(dir: string): Promise<string | undefined> {
  for (let current = dir; ; current = dirname(current)) {
    if (await lstat(join(current, '.git')).catch(() => undefined)) return current;
    if (dirname(current) === current) return undefined;
  }
}

/**
 * The rules above `root` up to its repository's top (`.git/info/exclude` and each folder's
 * `.gitignore`): git applies them to the packed folder too.
 */
async function inheritedRules(root: string): Promise<RuleSet[]> {
  const top = await gitTop(root);
  if (!top) return [];
  const below = top === root ? [] : relative(top, root).split(sep);
  const sets: RuleSet[] = [];
  const exclude = await readRules(join(top, '.git', 'info', 'exclude'));
  if (exclude)
    sets.push({
      source: posixPath(relative(root, join(top, '.git', 'info', 'exclude'))),
      rules: ignore().add(exclude),
      local: under(below),
    });
  for (let depth = 0; depth < below.length; depth += 1) {
    const folder = join(top, ...below.slice(0, depth));
    const text = await readRules(join(folder, '.gitignore'));
    if (text)
      sets.push({
        source: posixPath(relative(root, join(folder, '.gitignore'))),
        rules: ignore().add(text),
        local: under(below.slice(depth)),
      });
  }
  return sets;
}

/** How a path of the packed folder reads from a folder above it, `segments` being the packed folder's path from there. */
function under(segments: string[]): (path: string) => string {
  const prefix = segments.join('/');
  return (path) => (prefix ? `${prefix}/${path}` : path);
}

/** How a path of the packed folder reads from its subfolder `dir` ('' for the folder itself); null when not below it. */
function within(dir: string): (path: string) => string | null {
  if (dir === '') return (path) => path;
  return (path) => (path.startsWith(`${dir}/`) ? path.slice(dir.length + 1) : null);
}

/**
 * Lists what to ship of `root`, as git would track it, never what always stays out
 * (handlers/lib/source-left-out.ts, shared with the GitHub path): every `.gitignore` from the repository's top
 * down to each folder applies, the deepest deciding first, and a left-out folder is not entered.
 * A file or folder is never left out for its bare name alone (a route called `build` ships).
 */
export async function listSourceFiles(root: string): Promise<SourceFiles> {
  const always = alwaysLeftOut();
  const counts = new Map<string, LeftOutRule>();
  const files: string[] = [];
  const leaveOut = (source: string, pattern: string) => {
    const key = `${source}\0${pattern}`;
    const rule = counts.get(key) ?? { source, pattern, count: 0 };
    rule.count += 1;
    counts.set(key, rule);
  };

  /** The rule that leaves `path` out, deepest rule set first; undefined when it ships. */
  const decide = (path: string, isDir: boolean, sets: RuleSet[]): { source: string; pattern: string } | undefined => {
    const forced = always.test(isDir ? `${path}/` : path);
    if (forced.ignored && forced.rule) return { source: 'always', pattern: forced.rule.pattern };
    for (let i = sets.length - 1; i >= 0; i -= 1) {
      const set = sets[i]!;
      const local = set.local(path);
      if (local === null) continue;
      const result = set.rules.test(isDir ? `${local}/` : local);
      if (result.ignored && result.rule) return { source: set.source, pattern: result.rule.pattern };
      if (result.unignored) return undefined;
    }
    return undefined;
  };

  const walk = async (dir: string, sets: RuleSet[]): Promise<void> => {
    const absolute = join(root, dir);
    const own = await readRules(join(absolute, '.gitignore'));
    const here = own ? [...sets, { source: posix.join(dir, '.gitignore'), rules: ignore().add(own), local: within(dir) }] : sets;
    const entries = await readdir(absolute, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const path = dir ? `${dir}/${entry.name}` : entry.name;
      const isDir = entry.isDirectory();
      const rule = decide(path, isDir, here);
      if (rule) leaveOut(rule.source, rule.pattern);
      else if (isDir) await walk(path, here);
      else if (entry.isFile() || entry.isSymbolicLink()) files.push(path);
    }
  };

  await walk('', await inheritedRules(root));
  const leftOut = [...counts.values()].sort((a, b) => b.count - a.count || a.pattern.localeCompare(b.pattern));
  return { files, leftOut };
}

/** One line for the CLI: how many entries were left out and by which rules, the biggest first. */
export function describeLeftOut(leftOut: LeftOutRule[], shown = 4): string | undefined {
  if (leftOut.length === 0) return undefined;
  const total = leftOut.reduce((sum, rule) => sum + rule.count, 0);
  const named = leftOut.slice(0, shown).map((rule) => `${rule.pattern} (${rule.source}${rule.count > 1 ? `, ${rule.count}` : ''})`);
  const more = leftOut.length > shown ? `, ${leftOut.length - shown} more rules` : '';
  return `left out ${total} ${total === 1 ? 'entry' : 'entries'}: ${named.join(', ')}${more}`;
}
