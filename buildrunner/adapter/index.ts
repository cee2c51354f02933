/**
 * Slipway's SvelteKit adapter. The build runner swaps it in for whatever adapter an app names (see
 * register.ts), so its options are ignored (they were written for another platform), except
 * adapter-static's `fallback`, which says how the app wants unknown routes answered.
 *
 * It writes the build bundle described in docs/ARCHITECTURE.md into `$SLIPWAY_ADAPTER_OUT`
 * (default `<app>/.slipway-build`):
 *
 *   client/                 builder.writeClient (incl. _app/immutable/* and static/ files)
 *   prerendered/            builder.writePrerendered
 *   server/handler.js       the Lambda handler, esbuild-bundled with the app's SvelteKit server
 *   slipway-manifest.json   routes → files, see BundleManifest in handlers/pipeline/bundle/validate-bundle.ts
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { dirname, join, posix, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RUNTIME_ENV_BANNER } from './runtime-env-banner.js';

/** The subset of SvelteKit's `Builder` this adapter uses (kept structural: no dependency on @sveltejs/kit). */
export interface Builder {
  log: { minor(message: string): void; info?(message: string): void; warn(message: string): void };
  config: { kit: { appDir: string; outDir: string; paths: { base: string; assets?: string } } };
  prerendered: {
    pages: Map<string, { file: string }>;
    assets: Map<string, { type: string }>;
    redirects: Map<string, { status: number; location: string }>;
    paths: string[];
  };
  routes?: unknown[];
  findServerAssets?(routes: unknown[]): string[];
  /** SvelteKit 2. Removed in 3 (it throws there). */
  generateManifest(options: { relativePath: string }): string;
  /** SvelteKit 3: writes a module exporting `server`, an instance with init() and respond(). */
  generateServerInstance?(dest: string, options?: { serverDirectory?: string }): void;
  /** Writes the SPA shell page (adapter-static's `fallback`). */
  generateFallback?(dest: string): Promise<void>;
  getBuildDirectory(name: string): string;
  getServerDirectory(): string;
  writeClient(dest: string): string[];
  writePrerendered(dest: string): string[];
  writeServer(dest: string): string[];
}

export interface Adapter {
  name: string;
  adapt(builder: Builder): Promise<void>;
  supports?: { read?: () => boolean };
}

export interface SlipwayManifest {
  version: 1;
  kit?: string;
  appDir: string;
  basePath: string;
  /** `paths.assets`: the origin the pages load build assets from, when the app names one. */
  assetsPath?: string;
  prerendered: Record<string, string>;
  static: Record<string, string>;
  /** adapter-static's `fallback` page, answered for unknown routes (see staticFallback). */
  fallback?: { file: string; status: 200 | 404 };
  handler: string;
}

export const ADAPTER_NAME = '@slipway/adapter';
/** Where the fallback page goes: beside the prerendered pages, never over one of them. */
export const FALLBACK_DIR = 'prerendered/__slipway_fallback';

/**
 * An app built with adapter-static keeps its `fallback` option (the options passed to the adapter
 * it names reach this one). A static host answers unknown routes with that page: `404.html` with
 * status 404 (GitHub Pages, Netlify), any other name (`200.html`, `index.html`) with 200.
 */
export function staticFallback(options: unknown): { name: string; status: 200 | 404 } | undefined {
  const fallback = (options as { fallback?: unknown } | null | undefined)?.fallback;
  if (typeof fallback !== 'string' || !/^[\w.-]+\.html$/.test(fallback) || fallback.startsWith('.')) return undefined;
  return { name: fallback, status: fallback === '404.html' ? 404 : 200 };
}

export const MANIFEST_FILE = 'slipway-manifest.json';
export const HANDLER_FILE = 'server/handler.js';

/** dist/buildrunner/adapter/files/handler.js next to the compiled index.js. */
const RUNTIME = fileURLToPath(new URL('./files/handler.js', import.meta.url));

function toPosix(path: string): string {
  return path.split(sep).join('/');
}

/** Every file under `dir`, as posix paths relative to it. */
function listFiles(dir: string, prefix = ''): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...listFiles(join(dir, entry.name), rel));
    else if (entry.isFile()) out.push(rel);
  }
  return out;
}

/** The installed @sveltejs/kit version, looked up from the app directory upwards. */
function kitVersion(appDir: string): string | undefined {
  let dir = resolve(appDir);
  for (;;) {
    const pkg = join(dir, 'node_modules', '@sveltejs', 'kit', 'package.json');
    if (existsSync(pkg)) {
      try {
        const version = (JSON.parse(readFileSync(pkg, 'utf8')) as { version?: unknown }).version;
        return typeof version === 'string' ? version : undefined;
      } catch {
        return undefined;
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** `/about` → `about.html` (relative to the prerendered output), the way SvelteKit names prerendered files. */
function prerenderedFile(path: string, base: string, html: boolean): string {
  const file = path.slice(base.length + 1) || 'index.html';
  if (html && !file.endsWith('.html')) return file + (file.endsWith('/') ? 'index.html' : '.html');
  return file;
}

/**
 * The options the adapter reads. SvelteKit 3 passes them on `builder.config` itself and warns
 * (`adapter_config_kit_deprecated`) as soon as `config.kit` is touched, so the flat place is read
 * first and `config.kit` only for Kit 2.
 */
export function kitOptions(builder: Builder): { base: string; appDir: string; assets: string } {
  const flat = builder.config as unknown as { paths?: { base?: string; assets?: string }; appDir?: string };
  if (typeof flat.appDir === 'string') return { base: flat.paths?.base ?? '', appDir: flat.appDir, assets: flat.paths?.assets ?? '' };
  const { paths, appDir } = builder.config.kit;
  return { base: paths.base, appDir, assets: paths.assets ?? '' };
}

export function buildManifest(
  builder: Builder,
  outDir: string,
  kit: string | undefined,
  fallback?: { name: string; status: 200 | 404 },
): SlipwayManifest {
  const { base, appDir, assets } = kitOptions(builder);
  const prerendered: Record<string, string> = {};
  const addPrerendered = (route: string, file: string): void => {
    if (existsSync(join(outDir, 'prerendered', file))) prerendered[route] = `prerendered/${toPosix(file)}`;
  };
  for (const [route, { file }] of builder.prerendered.pages) addPrerendered(route, file);
  for (const [route] of builder.prerendered.assets) addPrerendered(route, prerenderedFile(route, base, false));
  for (const [route] of builder.prerendered.redirects) addPrerendered(route, prerenderedFile(route, base, true));

  const statics: Record<string, string> = {};
  for (const file of listFiles(join(outDir, 'client')).sort()) {
    if (file === appDir || file.startsWith(`${appDir}/`)) continue;
    statics[`${base}/${file}`] = `client/${file}`;
  }
  return {
    version: 1,
    ...(kit ? { kit } : {}),
    appDir,
    basePath: base,
    ...(assets ? { assetsPath: assets } : {}),
    prerendered,
    static: statics,
    ...(fallback && existsSync(join(outDir, FALLBACK_DIR, fallback.name))
      ? { fallback: { file: `${FALLBACK_DIR}/${fallback.name}`, status: fallback.status } }
      : {}),
    handler: HANDLER_FILE,
  };
}

const BANNER = [
  // Bundled CommonJS calls `require` (through esbuild's shim); give it a real one. Set on globalThis
  // rather than declared, so it cannot clash with a bundled module's own top-level `require`.
  "import { createRequire as __slipwayCreateRequire } from 'node:module';",
  'globalThis.require ??= __slipwayCreateRequire(import.meta.url);',
  RUNTIME_ENV_BANNER,
].join('\n');

async function bundleServer(builder: Builder, appRoot: string, outDir: string): Promise<void> {
  const { build } = await import('esbuild');
  const tmp = builder.getBuildDirectory('slipway-server');
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  builder.writeServer(tmp);

  // SvelteKit 3 hands adapters a server instance; SvelteKit 2 the Server class and a manifest.
  const kit3 = typeof builder.generateServerInstance === 'function';
  if (kit3) builder.generateServerInstance?.(join(tmp, 'server-instance.js'), { serverDirectory: tmp });
  else writeFileSync(join(tmp, 'manifest.js'), `export const manifest = ${builder.generateManifest({ relativePath: './' })};\n`);

  const entry = join(tmp, 'slipway-entry.js');
  writeFileSync(
    entry,
    [
      "import { createReadStream } from 'node:fs';",
      "import { Readable } from 'node:stream';",
      ...(kit3
        ? [
            "import { server } from './server-instance.js';",
            `import { createHandlerForInstance } from ${JSON.stringify(toPosix(RUNTIME))};`,
          ]
        : [
            "import { Server } from './index.js';",
            "import { manifest } from './manifest.js';",
            `import { createHandler } from ${JSON.stringify(toPosix(RUNTIME))};`,
          ]),
      '',
      '// Server assets ($app/server read) are copied next to handler.js.',
      "const here = new URL('./', import.meta.url);",
      'const read = (file) => Readable.toWeb(createReadStream(new URL(file, here)));',
      '',
      kit3
        ? 'export const handler = createHandlerForInstance(server, { read });'
        : 'export const handler = createHandler(Server, manifest, { read });',
      '',
    ].join('\n'),
  );

  const serverOut = join(outDir, 'server');
  await build({
    entryPoints: { handler: entry },
    outdir: serverOut,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    chunkNames: 'chunks/[name]-[hash]',
    // The app's own packages come from the app's node_modules.
    absWorkingDir: appRoot,
    nodePaths: [join(appRoot, 'node_modules')],
    banner: { js: BANNER },
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'warning',
    legalComments: 'none',
  });
  // handler.js is ESM whatever package.json sits above the deployment directory.
  writeFileSync(join(serverOut, 'package.json'), '{ "type": "module" }\n');

  const serverDir = builder.getServerDirectory();
  for (const asset of builder.findServerAssets?.(builder.routes ?? []) ?? []) {
    const from = join(serverDir, asset);
    if (!existsSync(from)) continue;
    const to = join(serverOut, asset);
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(from, to);
  }
  rmSync(tmp, { recursive: true, force: true });
}

export default function adapter(options?: unknown): Adapter {
  const fallback = staticFallback(options);
  return {
    name: ADAPTER_NAME,
    supports: { read: () => true },
    async adapt(builder) {
      const appRoot = process.cwd();
      const outDir = resolve(process.env.SLIPWAY_ADAPTER_OUT || join(appRoot, '.slipway-build'));
      rmSync(outDir, { recursive: true, force: true });
      mkdirSync(outDir, { recursive: true });

      builder.log.minor(`Slipway: writing the bundle to ${relative(appRoot, outDir) || '.'}`);
      builder.writeClient(join(outDir, 'client'));
      builder.writePrerendered(join(outDir, 'prerendered'));
      if (fallback && builder.generateFallback) await builder.generateFallback(join(outDir, FALLBACK_DIR, fallback.name));
      await bundleServer(builder, appRoot, outDir);

      const manifest = buildManifest(builder, outDir, kitVersion(appRoot), fallback);
      writeFileSync(join(outDir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
      builder.log.minor(
        `Slipway: ${Object.keys(manifest.prerendered).length} prerendered, ${Object.keys(manifest.static).length} static, handler ${posix.join(manifest.handler)}`,
      );
    },
  };
}
