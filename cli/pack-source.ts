import { create } from 'tar';
import { stat } from 'node:fs/promises';
import { listSourceFiles, type LeftOutRule } from './source-files.js';

export interface PackedSource {
  /** The gzip tar, paths relative to the packed folder. */
  archive: Buffer;
  files: number;
  /** What was not shipped and by which rule (listSourceFiles). */
  leftOut: LeftOutRule[];
}

/** Packs a folder into a gzip tar the way the build runner expects it, leaving out what git would not track. */
export async function packSource(dir: string): Promise<PackedSource> {
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) throw new Error(`${dir} is not a directory`);
  const { files, leftOut } = await listSourceFiles(dir);
  if (files.length === 0) throw new Error(`${dir} has no files to ship (everything in it is left out)`);
  const chunks: Buffer[] = [];
  const stream = create({ gzip: true, cwd: dir, portable: true }, files);
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return { archive: Buffer.concat(chunks), files: files.length, leftOut };
}
