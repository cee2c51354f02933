import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { currentPlatform } from '../lib/bindings/platform.js';
import {
  type LambdaResponseStream,
  type LambdaStreamingRuntime,
  lambdaStreamingRuntime,
  writeResponseStream,
} from '../lib/lambda-response-stream.js';
import { viewerEvent } from './viewer-event.js';

/**
 * The dashboard's server function on AWS: the built dashboard (`dist/dashboard/server`, Slipway's
 * adapter output, copied beside this module's bundle as `app/`: infra/aws/internal/dashboard-app.ts)
 * behind a check of the origin secret and the viewer's host (viewer-event.ts). The adapter's
 * handler streams when Lambda's runtime offers response streaming, so this entry does too.
 */
export const APP_MODULE = './app/handler.js';

export type BufferedApp = (event: APIGatewayProxyEventV2, context?: Context) => Promise<APIGatewayProxyStructuredResultV2>;
export type StreamingApp = (event: APIGatewayProxyEventV2, responseStream: LambdaResponseStream, context: Context) => Promise<void>;

// Resolved at run time against this module (the bundle), beside which the app sits; the bundler leaves it alone.
const importApp = async <App>(): Promise<App> => ((await import(new URL(APP_MODULE, import.meta.url).href)) as { handler: App }).handler;

/** The buffered entry (tests, a runtime without streaming): the app's result, or the refusal. */
export function bufferedDashboard(loadApp: () => Promise<BufferedApp>, originSecret: () => string | undefined): BufferedApp {
  return async (event, context) => {
    const checked = viewerEvent(event, originSecret());
    if ('refusal' in checked) return checked.refusal;
    return (await loadApp())(checked.event, context);
  };
}

/** The entry on Lambda: refusals are written to the response stream; the app writes its own answer. */
export function streamingDashboard(
  runtime: LambdaStreamingRuntime,
  loadApp: () => Promise<StreamingApp>,
  originSecret: () => string | undefined,
): StreamingApp {
  return runtime.streamifyResponse<APIGatewayProxyEventV2>(async (event, responseStream, context) => {
    const checked = viewerEvent(event, originSecret());
    if ('refusal' in checked) return writeResponseStream(runtime, responseStream, checked.refusal);
    return (await loadApp())(checked.event, responseStream, context);
  });
}

const runtime = lambdaStreamingRuntime();
const secret = currentPlatform().originSecret;
const originSecret = () => secret;
// The bound settings hold it now; the app's server, handed the whole environment, needs none of it.
delete process.env.SLIPWAY_ORIGIN_SECRET;

export const handler: StreamingApp | BufferedApp = runtime
  ? streamingDashboard(runtime, importApp<StreamingApp>, originSecret)
  : bufferedDashboard(importApp<BufferedApp>, originSecret);
