import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { instrumented } from '../lib/observability.js';

/**
 * The dashboard's server function until the dashboard app exists (it lands with the control-plane
 * issue and is then served the way tenants are). Reached through the dashboard distribution,
 * which sends `/api/*` to the HTTP API: the page and the API share one origin.
 */
const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Slipway</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;line-height:1.5}code{background:#f3f3f3;padding:0 .25rem}</style>
</head>
<body>
<h1>Slipway</h1>
<p>The platform is installed. The dashboard is not deployed yet; the API answers on this origin at
<a href="/api/v1/health"><code>/api/v1/</code></a> (send <code>Authorization: Bearer &lt;admin token&gt;</code>;
the token is in the Secrets Manager secret named in the stack outputs).</p>
<p>Use the CLI: set <code>SLIPWAY_API_URL</code> to this origin followed by <code>/api/v1</code> (the stack output <code>ApiUrl</code>) and <code>SLIPWAY_TOKEN</code> to the admin token, then run <code>npx slipway deploy DIR --project NAME</code>.</p>
</body>
</html>
`;

async function dashboardPlaceholder(_event?: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  return {
    statusCode: 200,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    },
    body: PAGE,
  };
}

export const handler = instrumented('dashboardPlaceholder', dashboardPlaceholder);
