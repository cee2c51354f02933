import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import * as v from 'valibot';
import { readBundle, type BundleEntry } from './read-bundle.js';
import { AWS_LIMITS, AwsLimitError } from './aws-preflight.js';

export interface BundleLimits {
  maxFileBytes: number;
  /** The server function's files: AWS Lambda's unzipped package limit, on both back ends. */
  maxServerBytes: number;
  maxTotalBytes: number;
  maxFiles: number;
  maxPrerenderedRoutes: number;
}

export const DEFAULT_BUNDLE_LIMITS: BundleLimits = {
  maxFileBytes: 50 * 1024 * 1024,
  maxServerBytes: AWS_LIMITS.lambdaUnzippedBytes,
  maxTotalBytes: 250 * 1024 * 1024,
  maxFiles: 20_000,
  maxPrerenderedRoutes: 5_000,
};

const TOP_LEVEL = new Set(['client', 'prerendered', 'server', 'slipway-manifest.json']);
const RoutePath = v.pipe(v.string(), v.startsWith('/'), v.maxLength(400));
const FilePath = v.pipe(v.string(), v.maxLength(400));

export const BundleManifest = v.object({
  version: v.literal(1),
  kit: v.optional(v.string()),
  appDir: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]+$/)),
  basePath: v.optional(v.string(), ''),
  /** `paths.assets`, an absolute URL (SvelteKit refuses anything else); only ever shown in the build log. */
  assetsPath: v.optional(v.pipe(v.string(), v.regex(/^https?:\/\/[^\s]+$/), v.maxLength(400))),
  prerendered: v.record(RoutePath, FilePath),
  static: v.record(RoutePath, FilePath),
  /** adapter-static's fallback page: unknown routes get it, with this status. A page: never a server file. */
  fallback: v.optional(v.object({ file: v.pipe(FilePath, v.startsWith('prerendered/')), status: v.picklist([200, 404]) })),
  handler: FilePath,
});
export type BundleManifest = v.InferOutput<typeof BundleManifest>;

/** The build output broke a rule; the message names the entry and the rule. */
export class BundleError extends Error {
  override name = 'InvalidBuildOutput';
}

export interface ValidatedBundle {
  manifest: BundleManifest;
  files: number;
  bytes: number;
  /** Bytes under each top-level area (what the storage limits of a subscription count). */
  areaBytes: Record<BundleArea, number>;
  /** The size of every file, by path. */
  fileSizes: Map<string, number>;
  sha256: string;
}

export type BundleArea = 'client' | 'prerendered' | 'server';

/** A safe relative path: no absolute paths, no `..`, no backslashes or NULs, already normal. */
function checkPath(raw: string): string {
  const path = raw.replace(/^\.\//, '').replace(/\/$/, '');
  if (path.includes('\0') || path.includes('\\')) throw new BundleError(`entry ${JSON.stringify(raw)}: path has a forbidden character`);
  if (path.startsWith('/')) throw new BundleError(`entry ${JSON.stringify(raw)}: absolute paths are not allowed`);
  if (path.split('/').includes('..') || posix.normalize(path) !== path) {
    throw new BundleError(`entry ${JSON.stringify(raw)}: path traversal is not allowed`);
  }
  const top = path.split('/')[0] ?? '';
  if (!TOP_LEVEL.has(top))
    throw new BundleError(`entry ${JSON.stringify(raw)}: top-level ${JSON.stringify(top)} is not one of ${[...TOP_LEVEL].join(', ')}`);
  return path;
}

function checkEntries(
  entries: BundleEntry[],
  limits: BundleLimits,
): { files: Map<string, BundleEntry>; bytes: number; areaBytes: Record<BundleArea, number> } {
  const files = new Map<string, BundleEntry>();
  const areaBytes: Record<BundleArea, number> = { client: 0, prerendered: 0, server: 0 };
  let bytes = 0;
  for (const entry of entries) {
    const path = checkPath(entry.path);
    if (entry.type === 'Directory') continue;
    if (entry.type !== 'File')
      throw new BundleError(`entry ${JSON.stringify(entry.path)}: ${entry.type} entries are not allowed (only files and directories)`);
    if (entry.size > limits.maxFileBytes)
      throw new BundleError(
        `entry ${JSON.stringify(entry.path)}: ${entry.size} bytes exceeds the file size limit of ${limits.maxFileBytes} bytes`,
      );
    bytes += entry.size;
    const area = path.split('/')[0] as string;
    if (area in areaBytes) areaBytes[area as BundleArea] += entry.size;
    if (areaBytes.server > limits.maxServerBytes) {
      throw new AwsLimitError(
        `the server function is over ${limits.maxServerBytes} bytes unzipped, AWS Lambda's limit for a function's package`,
      );
    }
    if (bytes > limits.maxTotalBytes) throw new BundleError(`build output exceeds the total size limit of ${limits.maxTotalBytes} bytes`);
    if (files.has(path)) throw new BundleError(`entry ${JSON.stringify(entry.path)}: appears twice`);
    files.set(path, entry);
    if (files.size > limits.maxFiles) throw new BundleError(`build output exceeds the limit of ${limits.maxFiles} files`);
  }
  return { files, bytes, areaBytes };
}

function checkManifest(files: Map<string, BundleEntry>, limits: BundleLimits): BundleManifest {
  const entry = files.get('slipway-manifest.json');
  if (!entry?.body) throw new BundleError('slipway-manifest.json is missing from the build output');
  let json: unknown;
  try {
    json = JSON.parse(entry.body.toString('utf8'));
  } catch {
    throw new BundleError('slipway-manifest.json is not valid JSON');
  }
  const parsed = v.safeParse(BundleManifest, json);
  if (!parsed.success) {
    const issue = parsed.issues[0];
    throw new BundleError(`slipway-manifest.json: field ${v.getDotPath(issue) ?? '(root)'} is invalid: ${issue.message}`);
  }
  const manifest = parsed.output;
  const routes = Object.keys(manifest.prerendered).length;
  if (routes > limits.maxPrerenderedRoutes) {
    throw new BundleError(`build output has ${routes} prerendered routes, over the limit of ${limits.maxPrerenderedRoutes}`);
  }
  const referenced: Array<[string, string, string]> = [
    ...Object.entries(manifest.prerendered).map(([route, file]): [string, string, string] => ['prerendered', route, file]),
    ...Object.entries(manifest.static).map(([route, file]): [string, string, string] => ['static', route, file]),
    ['handler', 'handler', manifest.handler],
    ...(manifest.fallback ? [['fallback', 'fallback', manifest.fallback.file] as [string, string, string]] : []),
  ];
  for (const [field, route, file] of referenced) {
    if (!files.has(checkPath(file)))
      throw new BundleError(`slipway-manifest.json: ${field} ${route} names ${file}, which is not in the build output`);
  }
  return manifest;
}

/** Checks a bundle.tar.gz against the layout and the limits; throws BundleError on the first problem. */
export async function validateBundle(archive: Buffer, limits: BundleLimits = DEFAULT_BUNDLE_LIMITS): Promise<ValidatedBundle> {
  let entries: BundleEntry[];
  try {
    entries = await readBundle(archive, (path) => path.replace(/^\.\//, '') === 'slipway-manifest.json');
  } catch (error) {
    throw new BundleError(`build output is not a readable gzip tar archive: ${(error as Error).message}`);
  }
  const { files, bytes, areaBytes } = checkEntries(entries, limits);
  const manifest = checkManifest(files, limits);
  const fileSizes = new Map([...files].map(([path, entry]) => [path, entry.size]));
  return { manifest, files: files.size, bytes, areaBytes, fileSizes, sha256: createHash('sha256').update(archive).digest('hex') };
}
