import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { startBareS3, type BareS3 } from '../support/bare-s3.js';
import { liveKey, routeEntriesFor } from '../../handlers/lib/route-cache-keys.js';
import { createFunctionHost, type FunctionHost } from '../../infra/local/function-host/index.js';
import { createEdgeServer, type EdgeServer } from '../../infra/local/edge/server.js';
import { createRouter } from '../../router/lambda/handler.js';
import { FileRouteCache } from '../../handlers/lib/bindings/route-cache/file.js';
import { hostRequest } from '../support/http.js';

/**
 * Attack: a visitor made a tenant's function fail and read the error text on the 502 page (e.g.
 * SvelteKit's `env_invalid …`, which quotes configuration). Through the local edge, router and
 * function host, a failing function answers a plain page with a request id; the text is in the
 * function's log under that id only.
 */
const BUCKET = 'slipway-projects';
const SECRET_TEXT = 'env_invalid: DATABASE_URL=postgres://admin:sk_live_9fQ2xLeakMe@db.internal/prod';

let dir: string;
let bare: BareS3 | undefined;
let functionHost: FunctionHost;
let edge: EdgeServer;
const logs: string[] = [];

async function deploy(s3: S3Client, project: string, handler: string): Promise<void> {
  await s3.send(
    new PutObjectCommand({
      Bucket: BUCKET,
      Key: `${project}/deployments/d-1/server/handler.js`,
      Body: handler,
      ContentType: 'text/javascript',
    }),
  );
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'slipway-error-page-'));
  bare = await startBareS3(dir, [BUCKET]);
  const s3 = bare.s3;
  const secret = JSON.stringify(SECRET_TEXT);
  await deploy(s3, 'throws', `export async function handler() { throw new Error(${secret}); }\n`);
  await deploy(s3, 'initfails', `throw new Error(${secret});\nexport async function handler() { return { statusCode: 200 }; }\n`);
  await deploy(s3, 'hangs', `export async function handler() { console.log(${secret}); return new Promise(() => {}); }\n`);

  const cache = new FileRouteCache(join(dir, 'routes'));
  for (const project of ['throws', 'initfails', 'hangs'])
    await cache.putMany({ [liveKey(project)]: 'd-1', ...routeEntriesFor('d-1', { prerendered: {}, static: {} }) });
  functionHost = createFunctionHost({
    stateDir: join(dir, 'state'),
    projectBucket: BUCKET,
    s3,
    timeoutMs: 500,
    onLog: (project, deploymentId, line) => logs.push(`${project}/${deploymentId}: ${line}`),
  });
  edge = await createEdgeServer({
    port: 0,
    platform: () => new Response('platform'),
    routeLookup: (key) => cache.getSync(key),
    s3,
    projectBucket: BUCKET,
    router: createRouter({ invoke: (project, deploymentId, event) => functionHost.invoke(project, deploymentId, event) }),
  });
}, 30_000);

afterAll(async () => {
  await edge?.close();
  await functionHost?.close();
  await bare?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a failing tenant function, seen by a visitor', () => {
  for (const [project, status, what] of [
    ['throws', 502, 'throws while answering'],
    ['initfails', 502, 'fails to start'],
    ['hangs', 504, 'times out'],
  ] as const) {
    it(`${what}: ${status} page with a request id, the error text in the function's log only`, async () => {
      const reply = await hostRequest({ port: edge.port, host: `${project}.localhost`, path: '/page' });
      expect(reply.status).toBe(status);
      expect(reply.headers['content-type']).toBe('text/plain; charset=utf-8');
      const requestId = reply.headers['x-slipway-request-id'] as string;
      expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(reply.text).toContain(`(request id ${requestId})`);
      expect(reply.text).not.toContain('sk_live_9fQ2xLeakMe');
      expect(reply.text).not.toContain('env_invalid');
      expect(JSON.stringify(reply.headers)).not.toContain('sk_live_9fQ2xLeakMe');
      // The log names the request and holds what failed.
      expect(logs.some((line) => line.startsWith(`${project}/d-1: function host: request ${requestId} answered ${status}`))).toBe(true);
      expect(logs.some((line) => line.startsWith(`${project}/d-1:`) && line.includes('sk_live_9fQ2xLeakMe'))).toBe(true);
    });
  }
});
