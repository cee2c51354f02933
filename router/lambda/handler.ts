import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { instrumented } from '../../handlers/lib/observability.js';
import type { FunctionResponse } from '../../handlers/lib/function-response.js';
import { FUNCTION_QUALIFIER_PATTERN, PROJECT_NAME_PATTERN } from '../../handlers/lib/names.js';
import { currentPlatform } from '../../handlers/lib/bindings/platform.js';
import { sameSecret } from '../../handlers/lib/same-secret.js';
import { gatewayErrorPage, requestIdOf } from '../gateway-error.js';
import {
  lambdaStreamingRuntime,
  writeResponseStream,
  type LambdaStreamingRuntime,
  type StreamingRoute,
} from '../../handlers/lib/lambda-response-stream.js';
import { TenantFunctionError } from './tenant-function-error.js';
import { clientAddress } from '../client-address.js';
import { DEFAULT_STAGE } from '../../handlers/lib/stage.js';

/**
 * The router function: the origin CloudFront (or the local edge) sends dynamic requests to, after
 * the viewer-request function tagged them with the tenant. It restores the public host and invokes
 * the tenant's server function. The same code runs on AWS (behind a function URL) and locally.
 */

/**
 * Invokes a tenant's server function at `qualifier`, the function version the route-cache pointer
 * names (live or preview; locally the deployment id). Only a pointer written before production
 * carried a version lacks it. A streaming function answers once its head is written, its body
 * still flowing.
 */
export type TenantInvoker = (
  project: string,
  deploymentId: string,
  event: APIGatewayProxyEventV2,
  qualifier?: string,
) => Promise<FunctionResponse>;

export interface RouterOptions {
  invoke: TenantInvoker;
  /** When set, requests must carry it in `x-slipway-origin-secret` (CloudFront adds it as an origin custom header). */
  originSecret?: string;
  /** Which X-Forwarded-For hop is the visitor (see clientAddress); 1, the default, is the address CloudFront saw. */
  clientAddressDepth?: number;
}

export type RouterFunction = (event: APIGatewayProxyEventV2) => Promise<FunctionResponse>;

export const TAG_PREFIX = 'x-slipway-';
export const ORIGIN_SECRET_HEADER = 'x-slipway-origin-secret';

function errorResult(statusCode: number, code: string, message: string): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
    body: JSON.stringify({ error: { code, message } }),
  };
}

function lowerCaseHeaders(headers: APIGatewayProxyEventV2['headers'] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value !== undefined) out[name.toLowerCase()] = value;
  }
  return out;
}

/**
 * The event the tenant sees: the public host in `headers.host` and `requestContext.domainName`,
 * the visitor's address (when known) in `requestContext.http.sourceIp`, no `x-slipway-*` header;
 * everything else (other headers, cookies, body, query) unchanged.
 */
export function tenantEvent(event: APIGatewayProxyEventV2, host: string, sourceIp?: string): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    const lower = name.toLowerCase();
    if (value === undefined || lower.startsWith(TAG_PREFIX) || lower === 'host') continue;
    headers[name] = value;
  }
  headers.host = host;
  const hostname = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : (host.split(':')[0] ?? host);
  return {
    ...event,
    headers,
    requestContext: {
      ...event.requestContext,
      domainName: host,
      domainPrefix: hostname.split('.')[0] ?? hostname,
      ...(sourceIp !== undefined && event.requestContext?.http ? { http: { ...event.requestContext.http, sourceIp } } : {}),
    },
  };
}

export function createRouter(options: RouterOptions): RouterFunction {
  const secret = options.originSecret || undefined;
  const depth = options.clientAddressDepth ?? 1;
  return async (event) => {
    const headers = lowerCaseHeaders(event.headers);
    if (secret !== undefined && !sameSecret(secret, headers[ORIGIN_SECRET_HEADER])) {
      return errorResult(403, 'Forbidden', 'requests must come through the Slipway edge (origin secret missing or wrong)');
    }
    const project = headers['x-slipway-project'];
    const deploymentId = headers['x-slipway-deployment'];
    if (!project || !deploymentId) {
      return errorResult(
        403,
        'Forbidden',
        'requests must come through the Slipway edge (x-slipway-project / x-slipway-deployment missing)',
      );
    }
    const qualifier = headers['x-slipway-qualifier'];
    if (
      !PROJECT_NAME_PATTERN.test(project) ||
      !FUNCTION_QUALIFIER_PATTERN.test(deploymentId) ||
      (qualifier !== undefined && !FUNCTION_QUALIFIER_PATTERN.test(qualifier))
    ) {
      return errorResult(403, 'Forbidden', 'the x-slipway-project, x-slipway-deployment or x-slipway-qualifier tag is malformed');
    }
    const host = headers['x-slipway-host'] || headers.host || event.requestContext?.domainName || '';
    // The router is reached only through CloudFront (the origin secret), so its viewer headers are trusted.
    const visitor = clientAddress(headers, event.requestContext?.http?.sourceIp ?? '', depth);
    try {
      return await options.invoke(project, deploymentId, tenantEvent(event, host, visitor || undefined), qualifier);
    } catch (error) {
      // The visitor gets the status and the request id; the error text goes to the log under that id.
      const requestId = requestIdOf(event);
      const status = error instanceof TenantFunctionError && error.timedOut ? 504 : 502;
      console.error(
        `[router] ${project}/${deploymentId} request ${requestId} answered ${status}: ${(error as Error).stack ?? String(error)}`,
      );
      return gatewayErrorPage(status, requestId);
    }
  };
}

let awsRouter: RouterFunction | undefined;

/**
 * AWS entry point (the router Lambda behind a function URL): invokes the project's function (lambda-invoker.ts)
 * at the version its `x-slipway-qualifier` tag names (from the pointer). Refuses everything when SLIPWAY_ORIGIN_SECRET is not configured, so the
 * function URL can never be used to reach tenants around CloudFront.
 */
async function route(event: APIGatewayProxyEventV2): Promise<FunctionResponse> {
  const originSecret = currentPlatform().originSecret;
  if (!originSecret) return errorResult(500, 'Misconfigured', 'the router has no SLIPWAY_ORIGIN_SECRET configured');
  if (!awsRouter) {
    const { lambdaInvoker } = await import('./lambda-invoker.js');
    const { clientAddressDepth, stage } = currentPlatform();
    awsRouter = createRouter({
      invoke: lambdaInvoker(stage ?? DEFAULT_STAGE),
      originSecret,
      ...(clientAddressDepth ? { clientAddressDepth } : {}),
    });
  }
  return awsRouter(event);
}

/** The router's buffered entry: a plain result (tests, and a runtime without response streaming). */
export const routeRequest = instrumented('route', route);

/** The router's entry on a runtime with response streaming: the tenant's body reaches the viewer as it is written. */
export function streamingEntry(runtime: LambdaStreamingRuntime): StreamingRoute {
  return runtime.streamifyResponse<APIGatewayProxyEventV2>((event, responseStream, context) =>
    instrumented('route', async (routed: APIGatewayProxyEventV2) => {
      const response = await route(routed);
      await writeResponseStream(runtime, responseStream, response);
      // Only the status goes to the trace: the body has been streamed.
      return { statusCode: response.statusCode };
    })(event, context).then(() => undefined),
  );
}

const runtime = lambdaStreamingRuntime();

/**
 * On Lambda (its runtime provides `awslambda`) the router streams, behind a function URL in
 * RESPONSE_STREAM mode; elsewhere it answers buffered results.
 */
export const handler: StreamingRoute | typeof routeRequest = runtime ? streamingEntry(runtime) : routeRequest;
