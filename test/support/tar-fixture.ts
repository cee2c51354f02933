import { gzipSync } from 'node:zlib';
import { Header } from 'tar';

export interface FixtureEntry {
  path: string;
  type?: 'File' | 'Directory' | 'SymbolicLink' | 'Link';
  body?: string | Buffer;
  linkpath?: string;
  /** Declared size, when a test wants a header that claims more than it carries. */
  size?: number;
}

/**
 * Writes a gzip tar entry by entry, header fields exactly as given: unlike `tar.c`, it will
 * happily write `../escape`, absolute paths and links, which is what the refusal tests need.
 */
export function tarFixture(entries: FixtureEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const body = entry.body === undefined ? Buffer.alloc(0) : Buffer.from(entry.body);
    const type = entry.type ?? 'File';
    const size = type === 'File' ? (entry.size ?? body.length) : 0;
    const header = new Header({
      path: entry.path,
      mode: type === 'Directory' ? 0o755 : 0o644,
      size,
      type,
      linkpath: entry.linkpath,
      mtime: new Date(0),
      uid: 0,
      gid: 0,
    });
    const block = Buffer.alloc(512);
    header.encode(block, 0);
    blocks.push(block);
    if (type === 'File') {
      const padded = Buffer.alloc(Math.ceil(size / 512) * 512);
      body.copy(padded, 0, 0, Math.min(body.length, size));
      blocks.push(padded);
    }
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

/** A minimal valid Slipway bundle, plus whatever a test adds or overrides. */
export function validBundleEntries(overrides: { manifest?: Record<string, unknown>; extra?: FixtureEntry[] } = {}): FixtureEntry[] {
  const manifest = {
    version: 1,
    kit: '2.0.0',
    appDir: '_app',
    basePath: '',
    prerendered: { '/about': 'prerendered/about.html' },
    static: { '/robots.txt': 'client/robots.txt' },
    handler: 'server/handler.js',
    ...overrides.manifest,
  };
  return [
    { path: 'slipway-manifest.json', body: JSON.stringify(manifest) },
    { path: 'client/robots.txt', body: 'User-agent: *\n' },
    { path: 'client/_app/immutable/entry/app.abc123.js', body: 'console.log(1)' },
    { path: 'prerendered/about.html', body: '<h1>About</h1>' },
    { path: 'server/handler.js', body: 'export const handler = async () => ({ statusCode: 200, body: "ok" });' },
    ...(overrides.extra ?? []),
  ];
}
