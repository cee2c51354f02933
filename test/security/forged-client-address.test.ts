import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveKey } from '../../handlers/lib/route-cache-keys.js';
import { FileRouteCache } from '../../handlers/lib/bindings/route-cache/file.js';
import { createEdgeServer, type EdgeServer } from '../../infra/local/edge/server.js';
import { createRouter } from '../../router/lambda/handler.js';
import { startBareS3, type BareS3 } from '../support/bare-s3.js';

/**
 * Attack: a visitor forges the headers the tenant's client address is read from, to pass as
 * another address (an allow-list, a rate limit, an audit log keyed by `getClientAddress()`).
 * Refused: the edge replaces CloudFront-Viewer-Address with the socket's address, as CloudFront
 * does, and at the default depth X-Forwarded-For is not read at all; at depth 2 only the hop the
 * trusted proxy appended counts, never one the visitor wrote before it.
 */
let dir: string;
let bare: BareS3;
const edges: EdgeServer[] = [];
const seen: string[] = [];

async function edgeWithDepth(clientAddressDepth?: number): Promise<EdgeServer> {
  const cache = new FileRouteCache(join(dir, `routes-${clientAddressDepth ?? 1}`));
  await cache.putMany({ [liveKey('hello')]: 'd-1' });
  const edge = await createEdgeServer({
    port: 0,
    platform: () => new Response('platform'),
    routeLookup: (key) => cache.getSync(key),
    s3: bare.s3,
    projectBucket: 'slipway-projects',
    router: createRouter({
      ...(clientAddressDepth ? { clientAddressDepth } : {}),
      invoke: async (_project, _deployment, event: APIGatewayProxyEventV2) => {
        seen.push(event.requestContext.http.sourceIp);
        return { statusCode: 200, body: 'ok' };
      },
    }),
  });
  edges.push(edge);
  return edge;
}

function addressSeen(edge: EdgeServer, headers: Record<string, string>): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port: edge.port, path: '/dynamic', headers: { host: 'hello.localhost', ...headers } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(seen.at(-1)));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'slipway-forged-address-'));
  bare = await startBareS3(dir, ['slipway-projects']);
});

afterAll(async () => {
  for (const edge of edges) await edge.close();
  await bare?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a forged client address', () => {
  it('is refused: the tenant sees the address that connected (default depth), and only the trusted hop at depth 2', async () => {
    const forged = { 'cloudfront-viewer-address': '6.6.6.6:443', 'x-forwarded-for': '6.6.6.6' };
    expect(await addressSeen(await edgeWithDepth(), forged)).toBe('127.0.0.1');
    // Behind one proxy (depth 2) the proxy appends the visitor after anything the visitor wrote.
    const behindProxy = await edgeWithDepth(2);
    expect(await addressSeen(behindProxy, { ...forged, 'x-forwarded-for': '6.6.6.6, 203.0.113.5' })).toBe('203.0.113.5');
  });
});
