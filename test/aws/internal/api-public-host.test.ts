import { Hono } from 'hono';
import { handle, type LambdaEvent } from 'hono/aws-lambda';
import { describe, expect, it } from 'vitest';
import { atPublicHost } from '../../../handlers/api/lambda.js';

/**
 * On AWS the API is reached through the dashboard distribution, which gives API Gateway its own
 * Host: the API must still see the browser's origin (its Origin check of cookie requests and
 * token sign-in compare against it).
 */
const gatewayEvent = (): Extract<LambdaEvent, { version: string; rawPath: string }> => ({
  version: '2.0',
  routeKey: '$default',
  rawPath: '/api/v1/auth/token',
  rawQueryString: '',
  headers: { host: 'a1b2c3.execute-api.us-east-1.amazonaws.com', origin: 'https://slipway.example.com' },
  requestContext: {
    accountId: '1',
    authentication: null,
    authorizer: {},
    apiId: 'a1b2c3',
    domainName: 'a1b2c3.execute-api.us-east-1.amazonaws.com',
    domainPrefix: 'a1b2c3',
    http: { method: 'POST', path: '/api/v1/auth/token', protocol: 'HTTP/1.1', sourceIp: '203.0.113.9', userAgent: 'test' },
    requestId: 'r-1',
    routeKey: '$default',
    stage: '$default',
    time: '01/Jan/2026:00:00:00 +0000',
    timeEpoch: 0,
  },
  isBase64Encoded: false,
  body: null,
});

// What the API's routes read: the request URL's origin, against the browser's Origin header.
const echo = handle(new Hono().all('*', (c) => c.json({ origin: new URL(c.req.url).origin, viewer: c.req.header('origin') })));

describe('the API Lambda behind the dashboard distribution', () => {
  it("answers as the public URL's host, so the browser's Origin matches", async () => {
    const result = await echo(atPublicHost(gatewayEvent(), 'https://slipway.example.com'));
    expect(JSON.parse(result.body)).toEqual({ origin: 'https://slipway.example.com', viewer: 'https://slipway.example.com' });
  });

  it("keeps API Gateway's host without a public URL (and would refuse the browser's Origin)", async () => {
    const result = await echo(atPublicHost(gatewayEvent(), undefined));
    expect(JSON.parse(result.body).origin).toBe('https://a1b2c3.execute-api.us-east-1.amazonaws.com');
  });
});
