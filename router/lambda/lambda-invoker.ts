import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { TenantInvoker } from './handler.js';
import { TenantFunctionError } from './tenant-function-error.js';

/** Name of a project's server function; the CDK project stack creates it with a `live` alias. */
export function tenantFunctionName(project: string): string {
  return `slipway-project-${project}`;
}

/** The alias the release step moves to the live deployment's function version. */
export const LIVE_ALIAS = 'live';

/**
 * The AWS binding of the router: a synchronous Lambda invocation of the tenant's function
 * (`slipway-project-<project>`, qualifier `live`, or for a preview the version its route-cache
 * pointer names). The deployment id the edge chose rides along in the tagged headers for logging;
 * the alias or version decides the code.
 */
export function lambdaInvoker(client: LambdaClient = new LambdaClient({})): TenantInvoker {
  return async (project: string, _deploymentId: string, event: APIGatewayProxyEventV2, qualifier?: string) => {
    const out = await client.send(
      new InvokeCommand({
        FunctionName: tenantFunctionName(project),
        Qualifier: qualifier ?? LIVE_ALIAS,
        InvocationType: 'RequestResponse',
        Payload: new TextEncoder().encode(JSON.stringify(event)),
      }),
    );
    const text = out.Payload ? new TextDecoder().decode(out.Payload) : '';
    if (out.FunctionError) throw new TenantFunctionError(tenantFunctionName(project), out.FunctionError, text);
    return normalizeResult(text ? (JSON.parse(text) as unknown) : null);
  };
}

/**
 * Function URL semantics: a result without a statusCode is a 200 JSON body.
 */
export function normalizeResult(result: unknown): APIGatewayProxyStructuredResultV2 {
  if (result && typeof result === 'object' && typeof (result as { statusCode?: unknown }).statusCode === 'number') {
    return result as APIGatewayProxyStructuredResultV2;
  }
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: typeof result === 'string' ? result : JSON.stringify(result),
  };
}
