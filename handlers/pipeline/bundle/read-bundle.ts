import { Parser, type ReadEntry } from 'tar';

/** One entry of a build bundle, as the archive declares it. */
export interface BundleEntry {
  path: string;
  type: string;
  size: number;
  /** Present when the reader was asked to keep file contents. */
  body?: Buffer;
}

/** Reads every entry header of a gzip tar, and the bodies of the files `keepBody` picks, without touching disk. */
export async function readBundle(archive: Buffer, keepBody: (path: string) => boolean): Promise<BundleEntry[]> {
  const entries: BundleEntry[] = [];
  await new Promise<void>((resolve, reject) => {
    const parser = new Parser({
      strict: true,
      onReadEntry: (entry: ReadEntry) => {
        const record: BundleEntry = { path: entry.path, type: entry.type, size: entry.size ?? 0 };
        entries.push(record);
        if (entry.type !== 'File' || !keepBody(entry.path)) {
          entry.resume();
          return;
        }
        const chunks: Buffer[] = [];
        entry.on('data', (chunk: Buffer) => chunks.push(chunk));
        entry.on('end', () => {
          record.body = Buffer.concat(chunks);
        });
      },
    });
    parser.on('error', reject);
    parser.on('end', () => resolve());
    parser.on('close', () => resolve());
    parser.end(archive);
  });
  return entries;
}
