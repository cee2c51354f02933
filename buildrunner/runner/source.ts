import { lstat, mkdir, readdir, readFile, readlink, realpath, rm } from 'node:fs/promises';
import { posix, join, relative, sep, isAbsolute } from 'node:path';
import { list, extract, type ReadEntry } from 'tar';

/** The source archive broke a rule; the message names the entry. */
export class SourceError extends Error {
  override name = 'SourceError';
}

export interface SourceLimits {
  /** Sum of the declared sizes of all files. */
  maxExtractedBytes: number;
  maxEntries: number;
}

export const DEFAULT_SOURCE_LIMITS: SourceLimits = {
  maxExtractedBytes: 200 * 1024 * 1024,
  maxEntries: 100_000,
};

const ALLOWED_TYPES = new Set(['File', 'OldFile', 'ContiguousFile', 'Directory', 'SymbolicLink', 'Link']);

/** A relative, normalised entry path, or the reason it is refused. */
function checkRelative(raw: string, what: string): string {
  if (raw.includes('\0') || raw.includes('\\')) throw new SourceError(`${what}: forbidden character in path`);
  if (raw.startsWith('/') || /^[A-Za-z]:/.test(raw)) throw new SourceError(`${what}: absolute paths are not allowed`);
  if (raw.split('/').includes('..')) throw new SourceError(`${what}: path traversal ("..") is not allowed`);
  return posix.normalize(raw.replace(/^(\.\/)+/, ''));
}

function entryName(raw: string): string {
  return `archive entry ${JSON.stringify(raw.length > 200 ? `${raw.slice(0, 200)}…` : raw)}`;
}

/** Checks one header: its path, its type, and where a link points. */
export function checkEntry(entry: { path: string; type: string; linkpath?: string }): void {
  const what = entryName(entry.path);
  const path = checkRelative(entry.path, what);
  if (!ALLOWED_TYPES.has(entry.type)) throw new SourceError(`${what}: ${entry.type} entries are not allowed`);
  if (entry.type === 'SymbolicLink' || entry.type === 'Link') {
    const target = entry.linkpath ?? '';
    if (!target) throw new SourceError(`${what}: link has no target`);
    if (target.startsWith('/') || target.includes('\0') || target.includes('\\')) {
      throw new SourceError(`${what}: link to an absolute path (${JSON.stringify(target)}) is not allowed`);
    }
    // Symbolic links resolve from their own folder, hard links from the archive root.
    const from = entry.type === 'SymbolicLink' ? posix.dirname(path) : '.';
    const resolved = posix.normalize(posix.join(from, target));
    if (resolved === '..' || resolved.startsWith('../')) {
      throw new SourceError(`${what}: link to ${JSON.stringify(target)} points outside the source folder`);
    }
    if (entry.type === 'Link' && target.split('/').includes('..')) {
      throw new SourceError(`${what}: hard link target may not contain ".."`);
    }
  }
}

/** Reads every header first, so nothing is written unless the whole archive is acceptable. */
async function inspect(file: string, limits: SourceLimits): Promise<{ files: number; bytes: number }> {
  let problem: Error | undefined;
  let entries = 0;
  let files = 0;
  let bytes = 0;
  await list({
    file,
    strict: true,
    onReadEntry: (entry: ReadEntry) => {
      if (problem) return;
      try {
        checkEntry({ path: entry.path, type: entry.type, linkpath: entry.linkpath });
        entries += 1;
        if (entries > limits.maxEntries) throw new SourceError(`the source archive has more than ${limits.maxEntries} entries`);
        if (entry.type === 'File' || entry.type === 'OldFile' || entry.type === 'ContiguousFile') {
          files += 1;
          bytes += entry.size ?? 0;
          if (bytes > limits.maxExtractedBytes) {
            throw new SourceError(`the source is larger than the limit of ${limits.maxExtractedBytes} bytes`);
          }
        }
      } catch (error) {
        problem = error as Error;
      }
    },
  }).catch((error: unknown) => {
    problem ??= new SourceError(`the source archive is not a readable gzip tar: ${(error as Error).message}`);
  });
  if (problem) throw problem;
  if (entries === 0) throw new SourceError('the source archive is empty');
  return { files, bytes };
}

/** After extraction: every symbolic link must resolve inside `root` (catches link chains). */
async function checkLinks(root: string, dir: string = root): Promise<void> {
  for (const name of await readdir(dir)) {
    const path = join(dir, name);
    const info = await lstat(path);
    if (info.isSymbolicLink()) {
      let target: string;
      try {
        target = await realpath(path);
      } catch {
        // Dangling: judge the text of the link instead.
        const text = await readlink(path);
        if (isAbsolute(text))
          throw new SourceError(`archive entry ${JSON.stringify(relative(root, path))}: link points outside the source folder`);
        continue;
      }
      const rel = relative(root, target);
      if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
        throw new SourceError(`archive entry ${JSON.stringify(relative(root, path))}: link points outside the source folder`);
      }
    } else if (info.isDirectory()) {
      await checkLinks(root, path);
    }
  }
}

/**
 * Extracts a gzip tar into `dest` (created fresh). Refuses absolute paths, `..`, device entries and
 * links that point outside, before writing anything; caps entries and total size.
 */
export async function extractSource(
  file: string,
  dest: string,
  limits: SourceLimits = DEFAULT_SOURCE_LIMITS,
): Promise<{ files: number; bytes: number }> {
  const summary = await inspect(file, limits);
  await rm(dest, { recursive: true, force: true });
  await mkdir(dest, { recursive: true });
  const root = await realpath(dest);
  let problem: Error | undefined;
  await extract({
    file,
    cwd: root,
    strict: true,
    preservePaths: false,
    preserveOwner: false,
    noChmod: false,
    // Defence in depth: the same checks again while writing.
    filter: (_path, entry) => {
      if (problem) return false;
      const header = entry as ReadEntry;
      try {
        checkEntry({ path: header.path, type: header.type, linkpath: header.linkpath });
        return true;
      } catch (error) {
        problem = error as Error;
        return false;
      }
    },
  }).catch((error: unknown) => {
    problem ??= new SourceError(`the source archive could not be extracted: ${(error as Error).message}`);
  });
  if (problem) {
    await rm(root, { recursive: true, force: true });
    throw problem;
  }
  try {
    await checkLinks(root);
  } catch (error) {
    await rm(root, { recursive: true, force: true });
    throw error;
  }
  return summary;
}

/** The folder holding the app's package.json: the archive root, or its single top-level folder. */
export async function findAppDir(src: string): Promise<string> {
  const has = async (dir: string) => {
    try {
      await readFile(join(dir, 'package.json'));
      return true;
    } catch {
      return false;
    }
  };
  if (await has(src)) return src;
  const entries = (await readdir(src, { withFileTypes: true })).filter((e) => !e.name.startsWith('.'));
  const only = entries[0];
  if (entries.length === 1 && only?.isDirectory() && (await has(join(src, only.name)))) return join(src, only.name);
  throw new SourceError('the source has no package.json at its root');
}
