import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as v from 'valibot';
import { ROUTES, openApiDocument } from '../../handlers/api/routes/index.js';
import type { ApiRoute } from '../../handlers/api/route.js';
import { CreateProjectBody } from '../../handlers/api/schemas.js';
import { AddDomainBody, PutEnvBody, SettingsPatch } from '../../handlers/lib/project-settings/schemas.js';
import { createReadyProject, deployOnce, startApiHarness, TOKEN, waitFor, type ApiHarness } from './support/api-harness.js';
import { checkResponse } from './support/openapi-check.js';

/**
 * Malformed bodies, headers, paths and query strings against every documented route: never a 500,
 * only the statuses the API uses, every answer as the document says (errors as the error body),
 * and no state change. Bounded and seeded: FUZZ_SEED=<n> replays a run, FUZZ_RUNS=<n> runs longer.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20261125);
const RUNS = Number(process.env.FUZZ_RUNS ?? 150);
const ALLOWED = new Set([200, 201, 202, 400, 401, 403, 404, 405, 409, 413]);
const PROJECT = 'fuzzbase';
const doc = openApiDocument() as Record<string, any>;

let harness: ApiHarness;
let deploymentId: string;
/** Statuses the runs produced: the fuzz must reach past authentication and validation. */
const seen = new Set<number>();

async function snapshot(): Promise<string> {
  const projects = await harness.call('GET', '/projects');
  const deployments = await harness.call('GET', `/projects/${PROJECT}/deployments`);
  const executions = await harness.call('GET', '/executions');
  const settings = await harness.call('GET', `/projects/${PROJECT}/settings`);
  const env = await harness.call('GET', `/projects/${PROJECT}/env`);
  const domains = await harness.call('GET', `/projects/${PROJECT}/domains`);
  return JSON.stringify({
    projects: projects.json,
    deployments: deployments.json,
    settings: settings.json,
    env: env.json,
    domains: domains.json,
    executions: (executions.json.executions as { name: string; status: string }[]).map((e) => [e.name, e.status]),
  });
}

beforeAll(async () => {
  harness = await startApiHarness();
  await createReadyProject(harness, PROJECT);
  const deployed = await deployOnce(harness, PROJECT);
  if (deployed.status !== 'LIVE') throw new Error(`the fuzz fixture deployment is ${deployed.status}`);
  deploymentId = deployed.id;
  // Nothing may still be running when the snapshots are taken.
  await waitFor(
    () => harness.call('GET', '/executions?status=RUNNING'),
    (r) => r.json.executions.length === 0,
  );
});

afterAll(async () => {
  await harness?.close();
});

// ---- arbitraries ----

const printable = (maxLength: number) =>
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength });

const SPECIAL_SEGMENTS = [
  '..',
  '.',
  '%2e%2e',
  '..%2F..',
  '%2F',
  '%00',
  '%',
  '%zz',
  '%E0%A4%A',
  ' ',
  '%20',
  '\u0000',
  'é',
  '😀',
  '\u202e',
  'null',
  'undefined',
  '__proto__',
  'constructor',
  '{name}',
  ':name',
  '*',
  'a'.repeat(5000),
  'Fuzzbase',
  `${PROJECT}-`,
  'd-',
  'd-../../x',
];

/** A path segment: `raw` is put in the URL as is, otherwise percent-encoded. */
const segment = (valid: string[]) =>
  fc.record({
    value: fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...valid) },
      { weight: 3, arbitrary: fc.constantFrom(...SPECIAL_SEGMENTS) },
      { weight: 2, arbitrary: fc.string({ maxLength: 60 }) },
      { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
      { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 300, maxLength: 3000 }) },
    ),
    raw: fc.boolean(),
  });

const queryString = fc
  .array(
    fc.record({
      key: fc.oneof(fc.constantFrom('cursor', 'status', '__proto__', 'constructor', 'cursor[]', ''), printable(20)),
      value: fc.oneof(
        fc.constantFrom('RUNNING', 'SUCCEEDED', 'nope', '', `builds/${'d-x'}/log/`, '%00', '\u0000', 'a'.repeat(400), '😀'),
        fc.string({ maxLength: 80 }),
        fc.string({ unit: 'binary', maxLength: 80 }),
      ),
      raw: fc.boolean(),
    }),
    { maxLength: 4 },
  )
  .map((pairs) =>
    pairs.length === 0
      ? ''
      : `?${pairs.map(({ key, value, raw }) => (raw ? `${key}=${value}` : `${encodeURIComponent(key)}=${encodeURIComponent(value)}`)).join('&')}`,
  );

/** Bodies shaped like the real ones, with wrong values, extra keys or the wrong nesting. */
const nearMiss = fc.oneof(
  fc.record({ name: fc.anything() }),
  fc.record({ bytes: fc.oneof(fc.double(), fc.integer(), fc.bigInt().map(String), fc.anything()) }),
  fc.record({ source: fc.oneof(fc.record({ key: fc.anything() }), fc.anything()), commit: fc.anything() }, { requiredKeys: [] }),
  fc.record({ deploymentId: fc.oneof(fc.constantFrom('d-nosuch-0000', 'd-'), fc.string()) }),
  fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 }),
);

const body = fc.oneof(
  { weight: 2, arbitrary: fc.constant(undefined) },
  { weight: 3, arbitrary: fc.json({ maxDepth: 3 }) },
  { weight: 3, arbitrary: nearMiss.map((value) => JSON.stringify(value)) },
  { weight: 2, arbitrary: fc.string({ maxLength: 200 }) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '',
      'null',
      '[]',
      '{}',
      '{"name":',
      '\u0000',
      '{"__proto__":{"admin":true}}',
      `{"name":"${'x'.repeat(300_000)}"}`,
    ),
  },
);

const authorization = fc.oneof(
  { weight: 6, arbitrary: fc.constant(`Bearer ${TOKEN}`) },
  { weight: 1, arbitrary: fc.constant(undefined) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      `bearer ${TOKEN}`,
      `Bearer  ${TOKEN}`,
      `Bearer ${TOKEN}x`,
      `Basic ${Buffer.from(`admin:${TOKEN}`).toString('base64')}`,
      'Bearer ',
      'Bearer',
      `Bearer ${'a'.repeat(10_000)}`,
    ),
  },
  { weight: 1, arbitrary: printable(80).map((s) => `Bearer ${s}`) },
  { weight: 1, arbitrary: printable(80) },
);

const HEADER_NAMES = [
  'content-type',
  'accept',
  'content-length',
  'content-encoding',
  'x-forwarded-for',
  'cookie',
  'x-github-event',
  'x-github-delivery',
  'x-hub-signature-256',
  'host',
  'origin',
];
const headers = fc.dictionary(
  fc.oneof(fc.constantFrom(...HEADER_NAMES), fc.stringMatching(/^x-[a-z0-9-]{1,20}$/)),
  fc.oneof(
    fc.constantFrom(
      'application/json',
      'application/json; charset=utf-16',
      'text/plain',
      'multipart/form-data; boundary=x',
      'gzip',
      '0',
      '-1',
      '999999999',
      'sha256=' + '0'.repeat(64),
      'ping',
      'push',
      '00000000-0000-0000-0000-000000000000',
    ),
    printable(100),
  ),
  { maxKeys: 4 },
);

interface Request {
  route: ApiRoute;
  method: string;
  params: Record<string, { value: string; raw: boolean }>;
  query: string;
  body: string | Uint8Array | undefined;
  authorization: string | undefined;
  headers: Record<string, string>;
}

function requestArbitrary(options: { methods: 'documented' | 'any' }): fc.Arbitrary<Request> {
  return fc.constantFrom(...ROUTES).chain((route) =>
    fc.record({
      route: fc.constant(route),
      method:
        options.methods === 'documented'
          ? fc.constant(route.method.toUpperCase())
          : fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'),
      params: fc.record({ name: segment([PROJECT, 'nosuch', 'abc']), id: segment([deploymentId, 'd-nosuch-0000']) }),
      query: queryString,
      body,
      authorization,
      headers,
    }),
  );
}

function urlOf(request: Request): string {
  const path = request.route.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const param = request.params[name] ?? { value: 'x', raw: false };
    return param.raw ? param.value : encodeURIComponent(param.value);
  });
  return `/api/v1${path}${request.query}`;
}

function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Requests that would legitimately change state: a valid new project, deleting the fixture project. */
function wouldMutate(request: Request): boolean {
  const text =
    request.body === undefined ? undefined : typeof request.body === 'string' ? request.body : Buffer.from(request.body).toString('utf8');
  if (text !== undefined) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (v.is(CreateProjectBody, parsed)) return true;
      // Valid settings, variable and domain bodies legitimately change the fixture project's settings.
      const path = request.route.path;
      if (path.endsWith('/settings') && request.method === 'PATCH' && v.is(SettingsPatch, parsed)) return true;
      if (path.endsWith('/env/{key}') && request.method === 'PUT' && v.is(PutEnvBody, parsed)) return true;
      if (path.endsWith('/domains') && request.method === 'POST' && v.is(AddDomainBody, parsed)) return true;
    } catch {
      // not JSON: cannot be a valid body
    }
  }
  // Starting a template rollout takes no body: an authorized call always starts an execution.
  if (request.route.path === '/admin/template-rollout' && request.method === 'POST') return true;
  const name = request.params.name?.value ?? '';
  return (
    request.method === 'DELETE' && (decoded(name).toLowerCase().includes(PROJECT) || decoded(decoded(name)).toLowerCase().includes(PROJECT))
  );
}

async function send(request: Request): Promise<{ status: number; text: string; url: string; contentType: string }> {
  const url = urlOf(request);
  const requestHeaders = new Headers();
  for (const [name, value] of Object.entries(request.headers)) requestHeaders.set(name, value);
  if (request.authorization !== undefined) requestHeaders.set('authorization', request.authorization);
  const withBody = request.method !== 'GET' && request.method !== 'HEAD' && request.body !== undefined;
  const payload = typeof request.body === 'string' || request.body === undefined ? request.body : new Uint8Array(request.body);
  const response = await harness.app.request(url, {
    method: request.method,
    headers: requestHeaders,
    body: withBody ? payload : undefined,
  });
  return { status: response.status, text: await response.text(), url, contentType: response.headers.get('content-type') ?? '' };
}

async function check(request: Request, compareState: boolean): Promise<void> {
  fc.pre(!wouldMutate(request));
  const before = compareState ? await snapshot() : '';
  const { status, text, url, contentType } = await send(request);
  seen.add(status);
  const where = `${request.method} ${url.slice(0, 300)} → ${status}`;
  expect(status, `${where}: ${text.slice(0, 300)}`).not.toBe(500);
  expect(ALLOWED.has(status), `${where}: unexpected status`).toBe(true);
  if (request.method !== 'HEAD') {
    let json: unknown;
    try {
      // The log stream's body is text/event-stream (documented as such): it is checked as text.
      json = contentType.startsWith('text/event-stream') ? text : JSON.parse(text);
    } catch {
      throw new Error(`${where}: the answer is not JSON: ${text.slice(0, 200)}`);
    }
    expect(checkResponse(doc, request.method, url, status, json), where).toEqual([]);
  }
  if (compareState) expect(await snapshot(), `${where}: state changed`).toBe(before);
}

function runProperty(property: fc.IAsyncProperty<[Request]>) {
  return fc
    .assert(property, { numRuns: RUNS, seed: SEED, interruptAfterTimeLimit: 240_000, markInterruptAsFailure: false })
    .catch((error: unknown) => {
      throw new Error(`fuzz failed (replay with FUZZ_SEED=${SEED}):\n${error instanceof Error ? error.message : String(error)}`);
    });
}

describe('API fuzz', () => {
  it(`documented routes and methods with malformed bodies, parameters, queries and headers (seed ${SEED})`, async () => {
    const before = await snapshot();
    seen.clear();
    await runProperty(fc.asyncProperty(requestArbitrary({ methods: 'documented' }), (request) => check(request, request.method !== 'GET')));
    expect(await snapshot()).toBe(before);
    expect([...seen].sort(), 'statuses seen').toEqual(expect.arrayContaining([200, 400, 401, 404]));
  }, 300_000);

  it(`any method on documented paths, with random authorization and headers (seed ${SEED})`, async () => {
    const before = await snapshot();
    await runProperty(
      fc.asyncProperty(requestArbitrary({ methods: 'any' }), (request) =>
        check(request, !['GET', 'HEAD', 'OPTIONS'].includes(request.method)),
      ),
    );
    expect(await snapshot()).toBe(before);
  }, 300_000);
});
