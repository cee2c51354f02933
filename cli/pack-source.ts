import { create } from 'tar';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';

/** Never shipped: dependencies are installed by the build, build output is produced by it. */
const EXCLUDED = new Set(['node_modules', '.git', '.svelte-kit', '.slipway', '.slipway-build', 'build', '.env', '.DS_Store']);

/** Packs an app directory into a gzip tar the way the build runner expects it (paths relative to the app root). */
export async function packSource(dir: string): Promise<Buffer> {
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) throw new Error(`${dir} is not a directory`);
  const chunks: Buffer[] = [];
  const stream = create(
    {
      gzip: true,
      cwd: dir,
      portable: true,
      filter: (path) =>
        !path.split('/').some((part) => EXCLUDED.has(part) || part.startsWith('.env.')) || basename(path) === '.env.example',
    },
    ['.'],
  );
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}
