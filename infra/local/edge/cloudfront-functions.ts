import { AsyncLocalStorage } from 'node:async_hooks';
import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

/**
 * Runs the real CloudFront Function files locally: each source is evaluated in a fresh `node:vm`
 * context holding only what CloudFront Functions provide (the language built-ins, `console` and
 * the `cloudfront` module as `cf`), with the KeyValueStore backed by a synchronous lookup (the
 * local route cache).
 *
 * The distribution has two functions, picked by cache behavior (infra/aws/projects/project-system.ts):
 * `assets-request.js` on `/_app/*` (except `/_app/env.js` and `/_app/remote/*`), `viewer-request.js`
 * on everything else. `loadEdgeFunctions` reproduces that choice; `loadViewerRequest` without a
 * file does the same, so the local edge runs exactly what CloudFront would run for each path.
 */

/** `{ name: { value, multiValue? } }`: headers, cookies and query parameters of a CloudFront event. */
export interface CfValue {
  value: string;
  multiValue?: Array<{ value: string }>;
}
export type CfValues = Record<string, CfValue>;

export interface CfRequest {
  method: string;
  uri: string;
  querystring: CfValues;
  headers: CfValues;
  cookies: CfValues;
}

export interface CfResponse {
  statusCode: number;
  statusDescription?: string;
  headers?: CfValues;
  cookies?: Record<string, { value: string; attributes?: string; multiValue?: Array<{ value: string; attributes?: string }> }>;
  body?: string | { data: string; encoding?: 'text' | 'base64' };
}

export interface CfEvent {
  version: '1.0';
  context: { distributionDomainName: string; distributionId: string; eventType: 'viewer-request'; requestId: string };
  viewer: { ip: string };
  request: CfRequest;
}

/** The origin the function chose with `cf.selectRequestOriginById` / `cf.updateRequestOrigin`. */
export type OriginSelection = { originId: string } | { update: Record<string, unknown> };

export type ViewerRequestResult =
  | { kind: 'response'; response: CfResponse }
  | { kind: 'request'; request: CfRequest; origin?: OriginSelection };

export type KvsLookup = (key: string) => string | undefined;

export type ViewerRequestFunction = (event: CfEvent) => Promise<ViewerRequestResult>;

/** Where a function file of this directory lives, from the source tree or from the compiled `dist/` tree. */
function functionFile(name: string): string {
  const beside = fileURLToPath(new URL(`../../../router/cloudfront/${name}`, import.meta.url));
  const source = fileURLToPath(new URL(`../../../../router/cloudfront/${name}`, import.meta.url));
  // In dist/ the compiled sandbox sits beside no function file (tsc does not copy .js sources).
  if (existsSync(beside) && readFileSync(beside, 'utf8').includes("from 'cloudfront'")) return beside;
  return source;
}

/** Where viewer-request.js (default behavior) lives. */
export function defaultViewerRequestFile(): string {
  return functionFile('viewer-request.js');
}

/** Where assets-request.js (the `/_app/*` behaviors) lives. */
export function defaultAssetsRequestFile(): string {
  return functionFile('assets-request.js');
}

/** Paths under the app dir that the SvelteKit server answers (behaviors of their own, router origin). */
export const APP_SERVER_PATHS = ['/_app/env.js', '/_app/remote/*'] as const;

/** Which of the two functions CloudFront runs for a uri, as the distribution's behaviors order them. */
export function behaviorFor(uri: string): 'assets' | 'viewer' {
  if (!uri.startsWith('/_app/')) return 'viewer';
  if (uri === '/_app/env.js' || uri.startsWith('/_app/remote/')) return 'viewer';
  return 'assets';
}

/**
 * Both functions of the distribution, each run for the paths its behaviors cover.
 */
export function loadEdgeFunctions(
  lookup: KvsLookup,
  files: { viewerRequest?: string; assetsRequest?: string } = {},
): ViewerRequestFunction {
  const viewer = loadCloudFrontFunction(files.viewerRequest ?? defaultViewerRequestFile(), lookup);
  const assets = loadCloudFrontFunction(files.assetsRequest ?? defaultAssetsRequestFile(), lookup);
  return (event) => (behaviorFor(event.request.uri) === 'assets' ? assets(event) : viewer(event));
}

const IMPORT_CF = /^\s*import\s+cf\s+from\s+['"]cloudfront['"]\s*;?\s*$/m;

/**
 * What the local edge runs for each request. Without a file: both functions, by behavior
 * (`loadEdgeFunctions`); with a file: that one function for every path (tests, experiments).
 */
export function loadViewerRequest(file: string | undefined, lookup: KvsLookup): ViewerRequestFunction {
  return file === undefined ? loadEdgeFunctions(lookup) : loadCloudFrontFunction(file, lookup);
}

/**
 * Compiles one function file once; each call runs `handler(event)` and reports what it returned.
 * `kvs().get` rejects for a missing key, as the real KeyValueStore does.
 */
export function loadCloudFrontFunction(path: string, lookup: KvsLookup): ViewerRequestFunction {
  const source = readFileSync(path, 'utf8');
  if (!IMPORT_CF.test(source)) throw new Error(`${path}: expected "import cf from 'cloudfront';"`);
  const body = source.replace(IMPORT_CF, '');

  const calls = new AsyncLocalStorage<{ origin?: OriginSelection }>();
  const store = {
    get(key: string, options?: { format?: 'string' | 'json' | 'bytes' }): Promise<unknown> {
      const value = lookup(String(key));
      if (value === undefined) return Promise.reject(keyNotFound(key));
      if (options?.format === 'json') return Promise.resolve(JSON.parse(value) as unknown);
      if (options?.format === 'bytes') return Promise.resolve(new TextEncoder().encode(value));
      return Promise.resolve(value);
    },
    exists(key: string): Promise<boolean> {
      return Promise.resolve(lookup(String(key)) !== undefined);
    },
    meta(): Promise<Record<string, unknown>> {
      return Promise.resolve({ creationDateTime: new Date(0).toISOString(), lastUpdatedDateTime: new Date().toISOString(), keyCount: 0 });
    },
  };
  const cf = {
    kvs: () => store,
    selectRequestOriginById(originId: string): void {
      const call = calls.getStore();
      if (call) call.origin = { originId: String(originId) };
    },
    updateRequestOrigin(params: Record<string, unknown>): void {
      const call = calls.getStore();
      if (call) call.origin = { update: JSON.parse(JSON.stringify(params)) as Record<string, unknown> };
    },
  };
  const quiet = (): void => undefined;
  const context = vm.createContext(
    { cf, console: { log: quiet, info: quiet, warn: quiet, error: quiet, debug: quiet } },
    { name: 'cloudfront-function', codeGeneration: { strings: false, wasm: false } },
  );
  new vm.Script(body, { filename: path }).runInContext(context, { timeout: 1000 });
  const handler = (context as { handler?: unknown }).handler;
  if (typeof handler !== 'function') throw new Error(`${path}: no top-level handler(event) function`);
  // The realm's own JSON.parse, taken once: a string crosses realms as it is, so each request
  // costs one parse and no script compilation.
  const parseInRealm = vm.runInContext('JSON.parse', context) as (text: string) => unknown;

  return (event) => {
    const call: { origin?: OriginSelection } = {};
    return calls.run(call, async (): Promise<ViewerRequestResult> => {
      // The function sees a copy made in its own realm, like the JSON event CloudFront hands it.
      const parsed = parseInRealm(JSON.stringify(event));
      const returned = (await (handler as (e: unknown) => unknown)(parsed)) as Record<string, unknown> | undefined;
      if (!returned || typeof returned !== 'object') throw new Error('the viewer-request function returned no object');
      const result = JSON.parse(JSON.stringify(returned)) as Record<string, unknown>;
      if (typeof result.statusCode === 'number') return { kind: 'response', response: result as unknown as CfResponse };
      if (typeof result.uri === 'string') {
        return call.origin
          ? { kind: 'request', request: result as unknown as CfRequest, origin: call.origin }
          : { kind: 'request', request: result as unknown as CfRequest };
      }
      throw new Error('the viewer-request function returned neither a request nor a response');
    });
  };
}

/**
 * The KeyValueStore's rejection for a missing key. The functions look up keys that are mostly
 * absent (a custom domain, a deployment's base path) on every request and only catch the
 * rejection, so it is made without a stack trace: capturing one was most of a miss's cost.
 */
function keyNotFound(key: string): Error {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new Error(`KeyValueStore: key not found: ${key}`);
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** Parses `a=1; b=2` into CloudFront's cookies object (repeated names become multiValue). */
export function parseCookies(header: string | undefined): CfValues {
  const cookies: CfValues = {};
  if (!header) return cookies;
  for (const part of header.split(';')) {
    const trimmed = part.trim();
    if (!trimmed) continue;
    const eq = trimmed.indexOf('=');
    const name = eq === -1 ? trimmed : trimmed.slice(0, eq).trim();
    const value = eq === -1 ? '' : trimmed.slice(eq + 1).trim();
    addValue(cookies, name, value);
  }
  return cookies;
}

/** Parses a raw query string into CloudFront's querystring object (values left as received). */
export function parseQueryString(raw: string): CfValues {
  const query: CfValues = {};
  if (!raw) return query;
  for (const part of raw.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    addValue(query, eq === -1 ? part : part.slice(0, eq), eq === -1 ? '' : part.slice(eq + 1));
  }
  return query;
}

function addValue(target: CfValues, name: string, value: string): void {
  const existing = target[name];
  if (!existing) {
    target[name] = { value };
    return;
  }
  existing.multiValue ??= [{ value: existing.value }];
  existing.multiValue.push({ value });
}

export interface EventFromRequestOptions {
  distributionDomainName?: string;
  distributionId?: string;
  requestId?: string;
}

/**
 * A viewer-request event for a Node request. As on CloudFront: lower-case header names, the
 * Cookie header moved into `cookies`, the query string split out of the uri.
 */
export function eventFromRequest(req: IncomingMessage, options: EventFromRequestOptions = {}): CfEvent {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const uri = q === -1 ? url : url.slice(0, q);
  const rawQuery = q === -1 ? '' : url.slice(q + 1);
  const headers: CfValues = {};
  for (const [name, values] of Object.entries(req.headersDistinct)) {
    const key = name.toLowerCase();
    if (key === 'cookie' || !values || values.length === 0) continue;
    for (const value of values) addValue(headers, key, value);
  }
  const cookieHeader = req.headersDistinct.cookie?.join('; ');
  return {
    version: '1.0',
    context: {
      distributionDomainName: options.distributionDomainName ?? 'edge.localhost',
      distributionId: options.distributionId ?? 'LOCAL',
      eventType: 'viewer-request',
      requestId: options.requestId ?? Math.random().toString(36).slice(2),
    },
    viewer: { ip: normalizeIp(req.socket.remoteAddress ?? '127.0.0.1') },
    request: {
      method: (req.method ?? 'GET').toUpperCase(),
      uri: uri.startsWith('/') ? uri : `/${uri}`,
      querystring: parseQueryString(rawQuery),
      headers,
      cookies: parseCookies(cookieHeader),
    },
  };
}

/** A minimal event for tests and tools: method, uri, host and extra headers. */
export function makeEvent(input: {
  method?: string;
  uri: string;
  host: string;
  headers?: Record<string, string>;
  querystring?: string;
  cookie?: string;
  ip?: string;
}): CfEvent {
  const headers: CfValues = { host: { value: input.host } };
  for (const [name, value] of Object.entries(input.headers ?? {})) headers[name.toLowerCase()] = { value };
  return {
    version: '1.0',
    context: { distributionDomainName: 'edge.localhost', distributionId: 'LOCAL', eventType: 'viewer-request', requestId: 'test' },
    viewer: { ip: input.ip ?? '127.0.0.1' },
    request: {
      method: input.method ?? 'GET',
      uri: input.uri,
      querystring: parseQueryString(input.querystring ?? ''),
      headers,
      cookies: parseCookies(input.cookie),
    },
  };
}

/** "::ffff:127.0.0.1" -> "127.0.0.1". */
export function normalizeIp(ip: string): string {
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}

/** The body of a function-generated response, as bytes. */
export function responseBody(response: CfResponse): Buffer {
  const body = response.body;
  if (body === undefined) return Buffer.alloc(0);
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  return Buffer.from(body.data ?? '', body.encoding === 'base64' ? 'base64' : 'utf8');
}
