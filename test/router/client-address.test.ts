import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { clientAddress, parseClientAddressDepth, viewerIp } from '../../router/client-address.js';
import { createRouter } from '../../router/lambda/handler.js';
import { awsPlatformSettings } from '../../infra/aws/runtime/platform-settings.js';
import { operatorSettings } from '../../infra/local/operator-settings.js';

/**
 * The visitor's address the tenant sees (`event.getClientAddress()`): on AWS the router is reached
 * from CloudFront, whose own address is `sourceIp`; the visitor is in CloudFront-Viewer-Address, or
 * further along X-Forwarded-For when trusted proxies stand in front of CloudFront.
 */
const CLOUDFRONT = '130.176.1.1';

describe('clientAddress', () => {
  it('reads the IP of CloudFront-Viewer-Address (IPv4, IPv6 without brackets, IPv4-mapped) and refuses what is not ip:port', () => {
    expect(viewerIp('198.51.100.10:46532')).toBe('198.51.100.10');
    expect(viewerIp('2001:db8:85a3::8a2e:370:7334:46532')).toBe('2001:db8:85a3::8a2e:370:7334');
    expect(viewerIp('::ffff:127.0.0.1:5000')).toBe('127.0.0.1');
    expect(viewerIp('198.51.100.10')).toBeUndefined();
    expect(viewerIp('evil:80')).toBeUndefined();
    expect(viewerIp(undefined)).toBeUndefined();
  });

  it('depth 1 (the default) is the address CloudFront saw, whatever the visitor put in X-Forwarded-For', () => {
    const headers = { 'cloudfront-viewer-address': '198.51.100.10:46532', 'x-forwarded-for': '10.9.9.9, 198.51.100.10' };
    expect(clientAddress(headers, CLOUDFRONT, 1)).toBe('198.51.100.10');
    // Without the header (a policy that does not forward it): the address that reached the router.
    expect(clientAddress({ 'x-forwarded-for': '10.9.9.9' }, CLOUDFRONT, 1)).toBe(CLOUDFRONT);
  });

  it("depth 1 prefers the viewer function's tag (event.viewer.ip) to CloudFront-Viewer-Address, and ignores a tag that is no address", () => {
    const headers = { 'x-slipway-viewer': '203.0.113.9', 'cloudfront-viewer-address': '198.51.100.10:46532' };
    expect(clientAddress(headers, CLOUDFRONT, 1)).toBe('203.0.113.9');
    // The managed origin request policy may not forward CloudFront's own headers: the tag alone is enough.
    expect(clientAddress({ 'x-slipway-viewer': '2001:db8::1' }, CLOUDFRONT, 1)).toBe('2001:db8::1');
    expect(clientAddress({ 'x-slipway-viewer': 'not-an-ip', 'cloudfront-viewer-address': '198.51.100.10:1' }, CLOUDFRONT, 1)).toBe(
      '198.51.100.10',
    );
  });

  it('depth N is the address the (N-1)th proxy in front of CloudFront saw, counted from the hop CloudFront appended', () => {
    // visitor 203.0.113.5 -> corporate proxy 192.0.2.7 -> CloudFront; then something behind CloudFront appended its own hop.
    const headers = {
      'cloudfront-viewer-address': '192.0.2.7:1234',
      'x-forwarded-for': '6.6.6.6, 203.0.113.5, 192.0.2.7, 10.0.0.1',
    };
    expect(clientAddress(headers, CLOUDFRONT, 2)).toBe('203.0.113.5');
    expect(clientAddress(headers, CLOUDFRONT, 3)).toBe('6.6.6.6');
    // A header without CloudFront's hop (the local edge's socket address in `seen`): that hop is appended first.
    expect(clientAddress({ 'x-forwarded-for': '203.0.113.5' }, '192.0.2.7', 2)).toBe('203.0.113.5');
  });

  it('a request with fewer hops than the depth (it bypassed the proxies) or a forged entry gets the address CloudFront saw', () => {
    expect(clientAddress({ 'cloudfront-viewer-address': '198.51.100.10:1' }, CLOUDFRONT, 2)).toBe('198.51.100.10');
    expect(clientAddress({ 'cloudfront-viewer-address': '198.51.100.10:1', 'x-forwarded-for': 'not-an-ip' }, CLOUDFRONT, 2)).toBe(
      '198.51.100.10',
    );
  });

  it('the depth setting is a whole number from 1 to 10, refused naming the setting otherwise', () => {
    expect(parseClientAddressDepth(undefined, 'X')).toBeUndefined();
    expect(parseClientAddressDepth('2', 'X')).toBe(2);
    for (const bad of ['0', '11', '1.5', 'two', '-1']) {
      expect(() => parseClientAddressDepth(bad, 'SLIPWAY_CLIENT_ADDRESS_DEPTH')).toThrow(/"field":"SLIPWAY_CLIENT_ADDRESS_DEPTH"/);
    }
    expect(awsPlatformSettings({ SLIPWAY_CLIENT_ADDRESS_DEPTH: '3' }).clientAddressDepth).toBe(3);
    expect(operatorSettings({ SLIPWAY_CLIENT_ADDRESS_DEPTH: '2' }).clientAddressDepth).toBe(2);
    expect(operatorSettings({}).clientAddressDepth).toBeUndefined();
  });
});

function routed(headers: Record<string, string>): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/',
    rawQueryString: '',
    headers: { 'x-slipway-project': 'hello', 'x-slipway-deployment': 'd-1', 'x-slipway-host': 'hello.example.com', ...headers },
    requestContext: {
      accountId: 'a',
      apiId: 'url',
      domainName: 'router.lambda-url',
      domainPrefix: 'router',
      http: { method: 'GET', path: '/', protocol: 'HTTP/1.1', sourceIp: CLOUDFRONT, userAgent: 'test' },
      requestId: 'r-1',
      routeKey: '$default',
      stage: '$default',
      time: '01/Jan/2025:00:00:00 +0000',
      timeEpoch: 0,
    },
    isBase64Encoded: false,
  };
}

describe('router', () => {
  async function seenBy(options: { clientAddressDepth?: number }, headers: Record<string, string>): Promise<string | undefined> {
    let seen: string | undefined;
    const router = createRouter({
      ...options,
      invoke: async (_project, _deployment, event): Promise<APIGatewayProxyStructuredResultV2> => {
        seen = event.requestContext.http.sourceIp;
        return { statusCode: 200 };
      },
    });
    expect((await router(routed(headers))).statusCode).toBe(200);
    return seen;
  }

  it("gives the tenant the visitor's address as sourceIp, not CloudFront's", async () => {
    expect(await seenBy({}, { 'CloudFront-Viewer-Address': '198.51.100.10:46532' })).toBe('198.51.100.10');
    expect(await seenBy({}, {})).toBe(CLOUDFRONT);
  });

  it('reads X-Forwarded-For at the configured depth', async () => {
    const headers = { 'cloudfront-viewer-address': '192.0.2.7:1234', 'x-forwarded-for': '203.0.113.5, 192.0.2.7' };
    expect(await seenBy({ clientAddressDepth: 2 }, headers)).toBe('203.0.113.5');
    expect(await seenBy({}, headers)).toBe('192.0.2.7');
  });
});
