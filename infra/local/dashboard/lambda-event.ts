import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/**
 * A Web Request as the event a function URL gives the dashboard's server function on AWS
 * (payload format 2.0), so locally the same built handler runs on the same input.
 */
export async function functionUrlEvent(request: Request, sourceIp: string): Promise<APIGatewayProxyEventV2> {
  const url = new URL(request.url);
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  request.headers.forEach((value, name) => {
    if (name === 'cookie') cookies.push(...value.split(/;\s*/).filter(Boolean));
    else headers[name] = value;
  });
  // The adapter rebuilds the URL from these; locally the platform speaks plain HTTP.
  headers['x-forwarded-proto'] = url.protocol.replace(':', '');
  headers.host = url.host;
  const body = request.body ? Buffer.from(await request.arrayBuffer()) : undefined;
  const now = new Date();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    requestContext: {
      accountId: 'anonymous',
      apiId: 'dashboard',
      domainName: url.hostname,
      domainPrefix: url.hostname.split('.')[0] ?? url.hostname,
      http: {
        method: request.method,
        path: url.pathname,
        protocol: 'HTTP/1.1',
        sourceIp,
        userAgent: request.headers.get('user-agent') ?? '',
      },
      requestId: crypto.randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    ...(body && body.length > 0 ? { body: body.toString('base64'), isBase64Encoded: true } : { isBase64Encoded: false }),
  };
}

/** The function's result as a Web Response (cookies become Set-Cookie headers, as a function URL does). */
export function responseFromResult(result: APIGatewayProxyStructuredResultV2): Response {
  const headers = new Headers();
  for (const [name, value] of Object.entries(result.headers ?? {})) headers.set(name, String(value));
  for (const cookie of result.cookies ?? []) headers.append('set-cookie', cookie);
  const status = result.statusCode ?? 200;
  const bodyless = status === 204 || status === 304 || (status >= 100 && status < 200);
  const body = bodyless || result.body === undefined ? null : result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body;
  return new Response(body, { status, headers });
}
