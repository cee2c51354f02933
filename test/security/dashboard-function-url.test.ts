import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { bufferedDashboard, type BufferedApp } from '../../handlers/dashboard/lambda.js';

/**
 * The dashboard's function URL has auth type NONE (origin access control would make browsers sign
 * form posts), so anyone who learns it can call it directly. The entry must refuse every request
 * that lacks the origin secret the distribution adds, before the app sees it, and never take a
 * host or protocol from a caller it has not authenticated.
 */
const SECRET = 'dashboard-origin-secret-0123456789abcdefghijklmn';

function directCall(headers: Record<string, string>): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/signin',
    rawQueryString: '',
    headers: { host: 'abcdefghij.lambda-url.us-east-1.on.aws', ...headers },
    requestContext: {
      accountId: 'anonymous',
      apiId: 'abcdefghij',
      domainName: 'abcdefghij.lambda-url.us-east-1.on.aws',
      domainPrefix: 'abcdefghij',
      http: { method: 'POST', path: '/signin', protocol: 'HTTP/1.1', sourceIp: '198.51.100.7', userAgent: 'attacker' },
      requestId: 'req-attack',
      routeKey: '$default',
      stage: '$default',
      time: '01/Jan/2026:00:00:00 +0000',
      timeEpoch: 0,
    },
    isBase64Encoded: false,
    body: 'token=guess',
  };
}

function guarded(secret: string | undefined) {
  const seen: APIGatewayProxyEventV2[] = [];
  const app: BufferedApp = async (event) => {
    seen.push(event);
    return { statusCode: 200, body: 'app' };
  };
  const loadApp = vi.fn(async () => app);
  return { handler: bufferedDashboard(loadApp, () => secret), loadApp, seen };
}

describe('dashboard function URL called around CloudFront', () => {
  it('refuses requests without the secret, with a wrong one, a prefix of it, or it padded, and never loads the app', async () => {
    const { handler, loadApp } = guarded(SECRET);
    for (const secret of [undefined, '', 'guess', SECRET.slice(0, -1), `${SECRET} `, SECRET.toUpperCase()]) {
      const headers: Record<string, string> = { 'x-slipway-host': 'slipway.example.com' };
      if (secret !== undefined) headers['x-slipway-origin-secret'] = secret;
      const result = (await handler(directCall(headers))) as APIGatewayProxyStructuredResultV2;
      expect(result.statusCode, JSON.stringify(secret)).toBe(403);
      expect(String(result.body)).not.toContain(SECRET);
    }
    expect(loadApp).not.toHaveBeenCalled();
  });

  it('refuses everything when the function has no secret configured (a misdeploy fails closed)', async () => {
    const { handler, loadApp } = guarded(undefined);
    const result = (await handler(
      directCall({ 'x-slipway-origin-secret': '', 'x-slipway-host': 'slipway.example.com' }),
    )) as APIGatewayProxyStructuredResultV2;
    expect(result.statusCode).toBe(500);
    expect(loadApp).not.toHaveBeenCalled();
  });

  it('passes on neither the secret nor any other x-slipway-* header, and forces https', async () => {
    const { handler, seen } = guarded(SECRET);
    await handler(
      directCall({
        'X-Slipway-Origin-Secret': SECRET,
        'x-slipway-host': 'slipway.example.com',
        'x-slipway-project': 'someone',
        'x-forwarded-proto': 'http',
      }),
    );
    const [event] = seen;
    expect(event?.headers).toMatchObject({ host: 'slipway.example.com', 'x-forwarded-proto': 'https' });
    expect(JSON.stringify(event)).not.toContain(SECRET);
    expect(Object.keys(event?.headers ?? {}).filter((name) => name.toLowerCase().startsWith('x-slipway-'))).toEqual([]);
  });
});
