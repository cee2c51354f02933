import { access, lstat, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { create } from 'tar';
import { noAdapterMessage } from './no-adapter.js';

export const MANIFEST = 'slipway-manifest.json';

/** The build output cannot be packed; the message says why. */
export class OutputError extends Error {
  override name = 'OutputError';
}

export interface OutputSummary {
  files: number;
  bytes: number;
  /** Top-level names, the roots handed to tar. */
  roots: string[];
}

async function walk(root: string, dir: string, summary: OutputSummary): Promise<void> {
  for (const name of (await readdir(dir)).sort()) {
    const path = join(dir, name);
    const info = await lstat(path);
    if (info.isDirectory()) await walk(root, path, summary);
    else if (info.isFile()) {
      summary.files += 1;
      summary.bytes += info.size;
    } else {
      throw new OutputError(
        `the build output contains ${relative(root, path)}, which is not a regular file or folder (only files and folders are allowed)`,
      );
    }
  }
}

/** Checks `out/` holds a Slipway manifest and only files and folders; counts them. */
export async function inspectOutput(outDir: string, appDir: string): Promise<OutputSummary> {
  try {
    await access(join(outDir, MANIFEST));
  } catch {
    throw new OutputError(await noAdapterMessage(appDir));
  }
  const roots = (await readdir(outDir)).sort();
  const summary: OutputSummary = { files: 0, bytes: 0, roots };
  await walk(outDir, outDir, summary);
  return summary;
}

/** Packs `out/` into a gzip tar whose entry paths are relative (`client/...`, `slipway-manifest.json`). */
export async function packOutput(outDir: string, file: string, roots: string[]): Promise<void> {
  await create({ file, cwd: outDir, gzip: true, portable: true, noDirRecurse: false, follow: false, strict: true }, roots);
}
