import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getRequestListener } from '@hono/node-server';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { contentTypeFor } from '../../../handlers/lib/content-type.js';
import { isMissingObject } from '../../../handlers/lib/s3-objects.js';
import {
  isComplete,
  isStreamed,
  type CompleteResult,
  type FunctionResponse,
  type StreamedResult,
} from '../../../handlers/lib/function-response.js';
import { byteRange } from './byte-range.js';
import { compress, compressCached, compressionFor, MAX_COMPRESSED_BYTES } from './compression.js';
import { createObjectReader, type EdgeObject } from './object-cache.js';
import { eventFromRequest, loadViewerRequest, normalizeIp, responseBody, type CfRequest, type CfResponse } from './cloudfront-functions.js';
import { VIEWER_ADDRESS_HEADER } from '../../../router/client-address.js';

/**
 * The one local HTTP server: what CloudFront + the router are on AWS, on a single port.
 *
 * - `localhost` / `127.0.0.1` (any port): the platform app (API and dashboard).
 * - `NAME.localhost`: the real viewer-request CloudFront Function runs in its sandbox; its answer is
 *   sent as is, a rewritten uri is served from the project bucket (the static origin), a request
 *   tagged `x-slipway-origin: router` becomes an API Gateway v2 event for the router.
 * - a custom domain with a `d:{host}` route-cache entry: as `NAME.localhost`, for its project;
 * - any other host: 404.
 */

export interface EdgeServerOptions {
  port: number;
  /** Interface to listen on; 127.0.0.1 unless told otherwise. */
  host?: string;
  /** The API/dashboard app (a Hono app's fetch). */
  platform: (request: Request) => Promise<Response> | Response;
  /** Synchronous route cache read (FileRouteCache.getSync). */
  routeLookup: (key: string) => string | undefined;
  s3: S3Client;
  projectBucket: string;
  /** The router function (createRouter(...)). */
  router: (event: APIGatewayProxyEventV2) => Promise<FunctionResponse>;
  /** The CloudFront Function file to run; router/cloudfront/viewer-request.js by default. */
  viewerRequestFile?: string;
}

export interface EdgeServer {
  port: number;
  url: string;
  close(): Promise<void>;
}

/** Lambda's synchronous invocation payload limit; the router path refuses larger bodies like AWS does. */
export const MAX_BODY_BYTES = 6 * 1024 * 1024;
/** Bodies this far over the limit are not even drained before answering 413. */
const DRAIN_LIMIT = 64 * 1024 * 1024;

const PLATFORM_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);
const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'public, max-age=0, must-revalidate';

export async function createEdgeServer(options: EdgeServerOptions): Promise<EdgeServer> {
  const viewerRequest = loadViewerRequest(options.viewerRequestFile, options.routeLookup);
  const readObject = createObjectReader({ s3: options.s3, bucket: options.projectBucket });
  const platformListener = getRequestListener((request) => options.platform(standardRequest(request)), {
    overrideGlobalObjects: false,
    errorHandler: (error) => {
      console.error(`[edge] platform: ${(error as Error).stack ?? String(error)}`);
      return new Response(JSON.stringify({ error: { code: 'InternalError', message: 'the platform failed to answer this request' } }), {
        status: 500,
        headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
      });
    },
  });

  async function handleTenant(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const outcome = await viewerRequest(eventFromRequest(req));
    if (outcome.kind === 'response') {
      drain(req);
      sendFunctionResponse(res, outcome.response);
      return;
    }
    if (outcome.request.headers['x-slipway-origin']?.value === 'router') {
      await forwardToRouter(req, res, outcome.request);
      return;
    }
    drain(req);
    await serveFromBucket(req, res, outcome.request.uri);
  }

  async function serveFromBucket(req: IncomingMessage, res: ServerResponse, uri: string): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    if (method !== 'GET' && method !== 'HEAD') {
      sendPage(res, 405, 'Method Not Allowed', 'Static files answer GET and HEAD only.', { allow: 'GET, HEAD' });
      return;
    }
    let key: string;
    try {
      key = decodeURIComponent(uri.replace(/^\/+/, ''));
    } catch {
      sendPage(res, 400, 'Bad Request', 'The path is not valid percent-encoding.');
      return;
    }
    if (key.split('/').some((segment) => segment === '.' || segment === '..') || key.includes('\\')) {
      sendPage(res, 404, 'Not Found', 'This file does not exist in the deployment.');
      return;
    }
    let object: EdgeObject;
    try {
      // A HEAD that accepts compression reads the body: its headers name the compressed form, as a GET's would.
      const compressedHead = method === 'HEAD' && compressionFor(req.headers['accept-encoding'], key) !== undefined;
      object = await readObject(key, compressedHead ? 'GET' : method);
    } catch (error) {
      if (isMissingObject(error)) {
        sendPage(res, 404, 'Not Found', 'This file does not exist in the deployment.');
        return;
      }
      throw error;
    }
    const body = object.Body;
    const headers: Record<string, string> = {
      'content-type': pickContentType(key, object.ContentType),
      'cache-control': key.includes('/client/_app/immutable/') ? IMMUTABLE : REVALIDATE,
    };
    if (object.ETag) headers.etag = object.ETag;
    if (object.LastModified) headers['last-modified'] = object.LastModified.toUTCString();

    // What adapter-node (sirv over precompressed files) and CloudFront (compress: true) both do.
    headers.vary = 'Accept-Encoding';
    if (notModified(req, object.ETag, object.LastModified)) {
      if (!Buffer.isBuffer(body)) body?.destroy();
      // RFC 9110 §15.4.5: the validator and caching headers a 200 would carry, no other metadata.
      const { etag, vary } = headers;
      res.writeHead(304, { ...(etag ? { etag } : {}), 'cache-control': headers['cache-control'] ?? REVALIDATE, vary });
      res.end();
      return;
    }
    const size = object.ContentLength;
    const range = method === 'GET' && size !== undefined ? byteRange(req.headers.range, size) : undefined;
    if (range === 'unsatisfiable') {
      if (body && !Buffer.isBuffer(body)) body.destroy();
      res.writeHead(416, { vary: headers.vary, 'content-range': `bytes */${size}`, 'content-length': '0' });
      res.end();
      return;
    }
    if (range) {
      await sendRange(res, headers, key, object, range);
      return;
    }
    const compressible = body !== undefined && (object.ContentLength ?? 0) <= MAX_COMPRESSED_BYTES;
    const encoding = compressible ? compressionFor(req.headers['accept-encoding'], key) : undefined;
    if (encoding && body) {
      const compressed = Buffer.isBuffer(body)
        ? await compressCached(body, encoding)
        : await compress(Buffer.concat(await body.toArray()), encoding);
      headers['content-encoding'] = encoding;
      headers['content-length'] = String(compressed.length);
      if (object.ETag) headers.etag = `W/${object.ETag.replace(/^W\//, '')}`;
      res.writeHead(200, headers);
      res.end(method === 'HEAD' ? undefined : compressed);
      return;
    }
    if (object.ContentLength !== undefined) headers['content-length'] = String(object.ContentLength);
    res.writeHead(200, headers);
    if (method === 'HEAD' || !body || Buffer.isBuffer(body)) {
      if (body && !Buffer.isBuffer(body)) body.destroy();
      res.end(method === 'HEAD' || !Buffer.isBuffer(body) ? undefined : body);
      return;
    }
    await pipeBody(body, res);
  }

  /**
   * A byte range of a file (byteRange): sliced from the body the cache holds, or asked of the
   * bucket for exactly those bytes when the file is too large to be held (S3 answers a range on AWS too).
   */
  async function sendRange(
    res: ServerResponse,
    headers: Record<string, string>,
    key: string,
    object: EdgeObject,
    range: { start: number; end: number },
  ): Promise<void> {
    headers['content-range'] = `bytes ${range.start}-${range.end}/${object.ContentLength}`;
    headers['accept-ranges'] = 'bytes';
    headers['content-length'] = String(range.end - range.start + 1);
    if (Buffer.isBuffer(object.Body)) {
      res.writeHead(206, headers);
      res.end(object.Body.subarray(range.start, range.end + 1));
      return;
    }
    object.Body?.destroy();
    const part = await options.s3.send(
      new GetObjectCommand({ Bucket: options.projectBucket, Key: key, Range: `bytes=${range.start}-${range.end}` }),
    );
    res.writeHead(206, headers);
    if (part.Body) await pipeBody(part.Body as Readable, res);
    else res.end();
  }

  async function forwardToRouter(req: IncomingMessage, res: ServerResponse, request: CfRequest): Promise<void> {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > DRAIN_LIMIT) {
      sendJson(res, 413, tooLarge(), { connection: 'close' });
      req.destroy();
      return;
    }
    const body = await readBody(req, MAX_BODY_BYTES);
    if (body === undefined) {
      sendJson(res, 413, tooLarge());
      return;
    }
    const result = await options.router(routerEvent(req, request, body));
    if (isStreamed(result)) await sendStreamedResult(res, result);
    else if (isComplete(result)) sendCompleteResult(res, result);
    else sendRouterResult(res, result);
  }

  const server = createServer((req, res) => {
    const host = req.headers.host ?? '';
    const hostname = hostnameOf(host);
    const work = PLATFORM_HOSTS.has(hostname)
      ? platformListener(req, res)
      : // A custom domain (its d:{host} entry) reaches the tenant functions like NAME.localhost does.
        hostname.endsWith('.localhost') || options.routeLookup(`d:${hostname}`) !== undefined
        ? handleTenant(req, res)
        : Promise.resolve(unknownHost(req, res, host));
    work.catch((error: unknown) => {
      console.error(`[edge] ${host}${req.url ?? ''}: ${(error as Error).stack ?? String(error)}`);
      if (!res.headersSent) {
        drain(req);
        sendPage(res, 502, 'Bad Gateway', 'The edge could not complete this request.');
      } else {
        res.destroy();
      }
    });
  });
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
    else socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://localhost:${port}/`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/**
 * node-server hands out a stand-in for Request that `new Request(request, init)` cannot copy
 * unless node-server replaces the global Request (which this server leaves alone). Hono's
 * bodyLimit makes that copy whenever a body has no Content-Length (chunked, or none at all), so a
 * request that may carry a body reaches the platform as a standard Request.
 */
function standardRequest(request: Request): Request {
  if (request.method === 'GET' || request.method === 'HEAD') return request;
  return new Request(request.url, {
    method: request.method,
    headers: request.headers,
    body: request.body,
    signal: request.signal,
    duplex: 'half',
  } as RequestInit);
}

/** "hello.localhost:8080" -> "hello.localhost"; "[::1]:80" -> "[::1]". */
export function hostnameOf(host: string): string {
  const lower = host.trim().toLowerCase();
  if (lower.startsWith('[')) {
    const end = lower.indexOf(']');
    return end === -1 ? lower : lower.slice(0, end + 1);
  }
  const colon = lower.indexOf(':');
  return colon === -1 ? lower : lower.slice(0, colon);
}

function unknownHost(req: IncomingMessage, res: ServerResponse, host: string): void {
  drain(req);
  sendPage(
    res,
    404,
    'Unknown host',
    host
      ? `Nothing is served at <code>${escapeHtml(host)}</code>. Projects answer at <code>NAME.localhost</code>; the platform at <code>localhost</code>.`
      : 'The request has no Host header.',
  );
}

/**
 * The API Gateway HTTP API (v2) event for a request the viewer-request function tagged for the
 * router: headers as CloudFront forwards them (the tags included), cookies split out, body base64.
 */
export function routerEvent(req: IncomingMessage, request: CfRequest, body: Buffer): APIGatewayProxyEventV2 {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const rawPath = q === -1 ? url : url.slice(0, q);
  const rawQueryString = q === -1 ? '' : url.slice(q + 1);
  const sourceIp = normalizeIp(req.socket.remoteAddress ?? '127.0.0.1');

  const headers: Record<string, string> = {};
  for (const [name, entry] of Object.entries(request.headers)) {
    if (name === 'cookie') continue;
    headers[name] = entry.multiValue ? entry.multiValue.map((v) => v.value).join(', ') : entry.value;
  }
  headers['x-forwarded-proto'] = 'http';
  headers['x-forwarded-for'] = headers['x-forwarded-for'] ? `${headers['x-forwarded-for']}, ${sourceIp}` : sourceIp;
  // As CloudFront adds it under the router's origin request policy: the router reads the visitor from it.
  headers[VIEWER_ADDRESS_HEADER] = `${sourceIp}:${req.socket.remotePort ?? 0}`;
  const localPort = req.socket.localPort;
  if (localPort) headers['x-forwarded-port'] = String(localPort);

  const cookies = (req.headersDistinct.cookie ?? [])
    .flatMap((line) => line.split(';'))
    .map((part) => part.trim())
    .filter((part) => part.length > 0);

  const queryStringParameters: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(rawQueryString)) {
    queryStringParameters[name] = name in queryStringParameters ? `${queryStringParameters[name]},${value}` : value;
  }

  const host = req.headers.host ?? 'localhost';
  const hostname = hostnameOf(host);
  const now = new Date();
  const method = (req.method ?? 'GET').toUpperCase();
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    headers,
    requestContext: {
      accountId: 'local',
      apiId: 'slipway-edge',
      domainName: host,
      domainPrefix: hostname.split('.')[0] ?? hostname,
      http: {
        method,
        path: rawPath,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp,
        userAgent: req.headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: apiGatewayTime(now),
      timeEpoch: now.getTime(),
    },
    isBase64Encoded: body.length > 0,
  };
  if (cookies.length > 0) event.cookies = cookies;
  if (rawQueryString) event.queryStringParameters = queryStringParameters;
  if (body.length > 0) event.body = body.toString('base64');
  return event;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "12/Mar/2020:19:03:58 +0000", as API Gateway writes requestContext.time. */
function apiGatewayTime(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}

/** Sends a router (Lambda) result: every `cookies` entry as its own Set-Cookie header. */
export function sendRouterResult(res: ServerResponse, result: APIGatewayProxyStructuredResultV2 | string | undefined): void {
  const structured: APIGatewayProxyStructuredResultV2 =
    result && typeof result === 'object' && typeof result.statusCode === 'number'
      ? result
      : {
          statusCode: 200,
          headers: { 'content-type': 'application/json' },
          body: typeof result === 'string' ? result : JSON.stringify(result ?? null),
        };
  setResultHeaders(res, structured);
  const body =
    structured.body === undefined || structured.body === null
      ? Buffer.alloc(0)
      : Buffer.from(structured.body, structured.isBase64Encoded ? 'base64' : 'utf8');
  res.statusCode = structured.statusCode ?? 200;
  res.end(isBodiless(res.statusCode) ? undefined : body);
}

/** The result's headers, every `cookies` entry as its own Set-Cookie; framing headers are the edge's own. */
function setResultHeaders(res: ServerResponse, result: { headers?: Record<string, unknown>; cookies?: string[] }): void {
  const setCookies: string[] = [];
  for (const [name, value] of Object.entries(result.headers ?? {})) {
    const lower = name.toLowerCase();
    if (lower === 'content-length' || lower === 'transfer-encoding' || lower === 'connection') continue;
    if (lower === 'set-cookie') {
      setCookies.push(String(value));
      continue;
    }
    res.setHeader(lower, String(value));
  }
  setCookies.push(...(result.cookies ?? []));
  if (setCookies.length > 0) res.setHeader('set-cookie', setCookies);
}

function isBodiless(status: number): boolean {
  return status === 204 || status === 304 || (status >= 100 && status < 200);
}

/**
 * Sends a streamed router answer: the head at once, then each chunk as the function writes it. The
 * viewer leaving ends the function's stream; the stream failing after the head cuts the connection.
 */
function sendStreamedResult(res: ServerResponse, result: StreamedResult): Promise<void> {
  setResultHeaders(res, result);
  res.statusCode = result.statusCode;
  const body = result.body;
  if (isBodiless(res.statusCode)) {
    body.destroy();
    res.end();
    return Promise.resolve();
  }
  res.flushHeaders();
  return new Promise<void>((resolve) => {
    body.on('error', (error) => {
      console.error(`[edge] streamed response cut: ${error.message}`);
      res.destroy();
      resolve();
    });
    res.on('close', () => {
      if (!body.readableEnded) body.destroy();
      resolve();
    });
    body.pipe(res);
  });
}

/** Sends a streamed answer that was complete on arrival in one write, its length known. */
function sendCompleteResult(res: ServerResponse, result: CompleteResult): void {
  setResultHeaders(res, result);
  res.statusCode = result.statusCode;
  res.end(isBodiless(res.statusCode) ? undefined : result.body);
}

/** Sends a response the CloudFront Function generated. */
function sendFunctionResponse(res: ServerResponse, response: CfResponse): void {
  for (const [name, entry] of Object.entries(response.headers ?? {})) {
    const values = entry.multiValue ? entry.multiValue.map((v) => v.value) : [entry.value];
    res.setHeader(name.toLowerCase(), values.length === 1 ? (values[0] ?? '') : values);
  }
  const cookies: string[] = [];
  for (const [name, cookie] of Object.entries(response.cookies ?? {})) {
    const all = cookie.multiValue ?? [cookie];
    for (const c of all) cookies.push(`${name}=${c.value}${c.attributes ? `; ${c.attributes}` : ''}`);
  }
  if (cookies.length > 0) res.setHeader('set-cookie', cookies);
  res.statusCode = response.statusCode;
  if (response.statusDescription) res.statusMessage = response.statusDescription;
  res.end(responseBody(response));
}

function pickContentType(key: string, stored: string | undefined): string {
  if (stored && stored !== 'binary/octet-stream' && stored !== 'application/octet-stream') return stored;
  return contentTypeFor(key);
}

function notModified(req: IncomingMessage, etag: string | undefined, lastModified: Date | undefined): boolean {
  const ifNoneMatch = req.headers['if-none-match'];
  if (ifNoneMatch !== undefined) {
    if (!etag) return false;
    const strip = (tag: string) => tag.trim().replace(/^W\//, '');
    return ifNoneMatch.trim() === '*' || ifNoneMatch.split(',').some((tag) => strip(tag) === strip(etag));
  }
  const since = req.headers['if-modified-since'];
  if (since && lastModified) {
    const time = Date.parse(since);
    return !Number.isNaN(time) && Math.floor(lastModified.getTime() / 1000) <= Math.floor(time / 1000);
  }
  return false;
}

/** Sends a stream of the bucket; the viewer leaving ends it, its failure cuts the connection. */
function pipeBody(body: Readable, res: ServerResponse): Promise<void> {
  return new Promise<void>((resolve) => {
    body.on('error', () => {
      res.destroy();
      resolve();
    });
    res.on('close', () => {
      body.destroy();
      resolve();
    });
    body.pipe(res);
  });
}

/** The whole body, or undefined once it passes `limit` (the rest is drained, up to DRAIN_LIMIT). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > DRAIN_LIMIT) {
        req.destroy();
        resolve(undefined);
        return;
      }
      if (size > limit) {
        over = true;
        chunks.length = 0;
        return;
      }
      if (!over) chunks.push(chunk);
    });
    req.on('end', () => resolve(over ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Discards a request body we do not use, so the connection stays usable. */
function drain(req: IncomingMessage): void {
  if (!req.readableEnded) req.resume();
}

function tooLarge(): unknown {
  return {
    error: {
      code: 'PayloadTooLarge',
      message: `the request body exceeds ${MAX_BODY_BYTES} bytes (6 MB), the limit of a server function invocation`,
    },
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  res.end(text);
}

function sendPage(res: ServerResponse, status: number, title: string, html: string, headers: Record<string, string> = {}): void {
  const page = `<!doctype html><html><head><meta charset="utf-8"><title>${status} ${escapeHtml(title)}</title></head><body><h1>${status} ${escapeHtml(title)}</h1><p>${html}</p><hr><p>Slipway edge</p></body></html>`;
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(page);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
