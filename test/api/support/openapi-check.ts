import { API_BASE } from '../../../handlers/api/openapi.js';
import { validate } from './json-schema.js';

type Doc = Record<string, any>;

/** Hono's `/api/v1/projects/:name` (optionally `:name{regex}`) as the document's `/projects/{name}`. */
export function documentPath(honoPath: string): string {
  const below = honoPath.startsWith(API_BASE) ? honoPath.slice(API_BASE.length) || '/' : honoPath;
  return below.replace(/:([A-Za-z0-9_]+)(\{[^}]*\})?/g, '{$1}');
}

/** The document path and operation a request reaches, by method and raw (still encoded) pathname. */
export function findOperation(doc: Doc, method: string, pathname: string): { path: string; operation: Doc } | undefined {
  if (!pathname.startsWith(`${API_BASE}/`)) return undefined;
  const below = pathname.slice(API_BASE.length);
  for (const [path, item] of Object.entries<Doc>(doc.paths)) {
    const pattern = new RegExp(`^${path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[^/]+')}$`);
    if (!pattern.test(below)) continue;
    const operation = item[method.toLowerCase() === 'head' ? 'get' : method.toLowerCase()];
    if (operation) return { path, operation };
  }
  return undefined;
}

function resolveRef(doc: Doc, node: Doc): Doc {
  let current = node;
  while (typeof current.$ref === 'string') {
    const target: Doc | undefined = current.$ref
      .slice(2)
      .split('/')
      .reduce((n: Doc | undefined, part: string) => n?.[part], doc);
    if (!target) throw new Error(`unresolved ${node.$ref}`);
    current = target;
  }
  return current;
}

/** Statuses an unmatched request may get: the auth and body-limit middleware run before the 404. */
const UNROUTED = new Set([401, 404, 413]);

/**
 * Problems of one response against the document: its status must be listed for the operation
 * (never 500), and its JSON body (or the text of a text/event-stream body) must validate against that status's schema. Requests that reach
 * no operation must answer with the error body.
 */
export function checkResponse(doc: Doc, method: string, url: string, status: number, body: unknown): string[] {
  const pathname = new URL(url, 'http://localhost').pathname;
  const found = findOperation(doc, method, pathname);
  const where = `${method} ${pathname} → ${status}`;
  if (status === 500) return [`${where}: a 500`];
  if (!found) {
    const problems = UNROUTED.has(status) ? [] : [`${where}: unrouted request answered with ${status}`];
    if (method.toUpperCase() === 'HEAD') return problems;
    return [...problems, ...validate({ $ref: '#/components/schemas/Error' }, body, doc).map((p) => `${where}: ${p}`)];
  }
  const response = found.operation.responses?.[String(status)];
  if (!response) return [`${where}: status ${status} is not documented for ${found.operation.operationId}`];
  if (method.toUpperCase() === 'HEAD') return [];
  // A redirect carries no body; its document entry must declare the Location header.
  if (status === 302) return resolveRef(doc, response).headers?.Location ? [] : [`${where}: a 302 without a documented Location header`];
  const content = resolveRef(doc, response).content ?? {};
  // A non-JSON body (text/event-stream) is passed as its text and checked against its own media type's schema.
  const schema =
    typeof body === 'string' && !content['application/json'] ? content['text/event-stream']?.schema : content['application/json']?.schema;
  if (!schema) return [`${where}: no schema documented for ${status} and this body`];
  return validate(schema, body, doc).map((p) => `${where} (${found.operation.operationId}): ${p}`);
}
