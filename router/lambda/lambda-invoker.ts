import { PassThrough } from 'node:stream';
import { InvokeWithResponseStreamCommand, LambdaClient, type InvokeWithResponseStreamResponseEvent } from '@aws-sdk/client-lambda';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { FunctionResponse } from '../../handlers/lib/function-response.js';
import type { TenantInvoker } from './handler.js';
import { HTTP_INTEGRATION_CONTENT_TYPE, readHttpIntegrationStream } from './http-integration-stream.js';
import { TenantFunctionError } from './tenant-function-error.js';
import { projectStackName } from '../../handlers/lib/stage.js';

/** Name of a project's server function in `stage` (its stack's name); the project stack publishes a version per deployment. */
export function tenantFunctionName(project: string, stage: string): string {
  return projectStackName(stage, project);
}

/**
 * The AWS binding of the router: a synchronous `InvokeWithResponseStream` of the tenant's function
 * (`slipway-project-<project>`, `slipway-<stage>-project-<project>` outside the default stage) at the version its route-cache pointer names, live or preview. The
 * deployment id the edge chose rides along in the tagged headers for logging; the version decides
 * the code. A pointer without a version (written before production carried one) is refused: no
 * alias stands in for it, so no stack update can change what a request runs.
 *
 * A function that streams (Slipway's adapter on Lambda's runtime) answers in the HTTP integration
 * shape: the router passes its head on once it arrives and its body as it comes, until the function
 * ends it or reaches its timeout (then the body ends where it is). One that does not stream answers
 * one JSON result, read whole as before.
 */
export function lambdaInvoker(stage: string, client: LambdaClient = new LambdaClient({})): TenantInvoker {
  return async (project: string, _deploymentId: string, event: APIGatewayProxyEventV2, qualifier?: string) => {
    const functionName = tenantFunctionName(project, stage);
    if (!qualifier) {
      throw new Error(`the route pointer of ${project} (deployment ${_deploymentId}) names no function version: release it again`);
    }
    const abort = new AbortController();
    const out = await client.send(
      new InvokeWithResponseStreamCommand({
        FunctionName: functionName,
        Qualifier: qualifier,
        InvocationType: 'RequestResponse',
        Payload: new TextEncoder().encode(JSON.stringify(event)),
      }),
      { abortSignal: abort.signal },
    );
    const events = out.EventStream ?? emptyStream();
    if (out.ResponseStreamContentType !== HTTP_INTEGRATION_CONTENT_TYPE) return bufferedResult(functionName, events);

    const body = new PassThrough();
    let headRead = false;
    // The viewer left before the function finished: stop reading from Lambda.
    body.on('close', () => {
      if (!body.writableFinished) abort.abort();
    });
    void (async () => {
      try {
        for await (const part of events) {
          if (part.PayloadChunk?.Payload && !body.write(part.PayloadChunk.Payload)) {
            await new Promise((resolve) => body.once('drain', resolve));
          }
          const error = part.InvokeComplete?.ErrorCode ? invokeError(functionName, part.InvokeComplete) : undefined;
          if (error) {
            // At its timeout a stream that began simply ends there (an event stream's normal fate);
            // any other failure cuts it, so a truncated body never looks complete.
            if (error.timedOut && headRead) body.end();
            else body.destroy(error);
            return;
          }
        }
        body.end();
      } catch (error) {
        if (!abort.signal.aborted) body.destroy(error as Error);
      }
    })();
    const response = await readHttpIntegrationStream(out.ResponseStreamContentType, body);
    headRead = true;
    return response;
  };
}

function invokeError(functionName: string, complete: { ErrorCode?: string; ErrorDetails?: string }): TenantFunctionError {
  return new TenantFunctionError(
    functionName,
    complete.ErrorCode ?? 'Unhandled',
    `${complete.ErrorCode ?? ''}: ${complete.ErrorDetails ?? ''}`,
  );
}

async function* emptyStream(): AsyncIterable<InvokeWithResponseStreamResponseEvent> {}

/** A function that does not stream: its one JSON result (or error payload), read whole. */
async function bufferedResult(
  functionName: string,
  events: AsyncIterable<InvokeWithResponseStreamResponseEvent>,
): Promise<FunctionResponse> {
  const parts: Uint8Array[] = [];
  let failure: { ErrorCode?: string; ErrorDetails?: string } | undefined;
  for await (const part of events) {
    if (part.PayloadChunk?.Payload) parts.push(part.PayloadChunk.Payload);
    if (part.InvokeComplete?.ErrorCode) failure = part.InvokeComplete;
  }
  const text = Buffer.concat(parts).toString('utf8');
  if (failure)
    throw new TenantFunctionError(functionName, failure.ErrorCode ?? 'Unhandled', `${failure.ErrorDetails ?? ''} ${text}`.trim());
  return normalizeResult(text ? (JSON.parse(text) as unknown) : null);
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
