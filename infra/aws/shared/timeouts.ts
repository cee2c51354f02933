import * as v from 'valibot';
import { LIMIT_BOUNDS } from '../../../handlers/lib/limits.js';
import { parseSetting } from '../../../handlers/lib/setting.js';

/**
 * Every timeout on a request's and a build's way through the platform on AWS, in seconds, in one
 * place: each outer one outlasts the inner ones it waits for by a margin. docs/ARCHITECTURE.md
 * ("Timeouts") says where each is set and why; test/aws/timeouts.test.ts reads them back from
 * the synthesized template and checks the inequalities.
 */
export const TIMEOUTS = {
  /** The HTTP API's Lambda integration: API Gateway's fixed maximum. */
  httpApiIntegration: 30,
  /** The API function: under the integration's, so a slow call ends in the API's own error, not the gateway's 503. */
  apiFunction: 29,
  /**
   * How long CloudFront waits for the router's first byte, and between two bytes of a response:
   * CloudFront's standard maximum (above 60 needs a quota increase, up to 180).
   */
  originRead: 60,
  /** The router function: Lambda's maximum. It streams a tenant's response as long as the tenant runs. */
  router: 900,
  /** Between the router's timeout and the longest a tenant may run: the router receives the tenant's timeout and answers with its 504 page. */
  routerMargin: 30,
  /** After the runner's own limit (the subscription's buildTimeoutSeconds): it stops the build and uploads the log and bundle. */
  buildWrapUp: 120,
  /** Before a build's attempt starts: queueing in Batch, starting the Fargate task and pulling the build image. */
  buildQueueAllowance: 600,
  /** The build's scoped credentials: a role session chained from the state machine's, which STS caps at one hour. */
  buildCredentials: 3600,
} as const;

/** The platform's build cap when the context sets none (and always locally). */
export const DEFAULT_BUILD_TIMEOUT_SECONDS = 900;

/** The job definition's attempt duration (measured by Batch from the job's start): the platform's build cap plus the runner's wrap-up. */
export function buildJobTimeoutSeconds(buildTimeoutSeconds: number): number {
  return buildTimeoutSeconds + TIMEOUTS.buildWrapUp;
}

/** The build step's TimeoutSeconds (measured by Step Functions from submission, so queueing and the image pull count too). */
export function buildStepTimeoutSeconds(buildTimeoutSeconds: number): number {
  return buildJobTimeoutSeconds(buildTimeoutSeconds) + TIMEOUTS.buildQueueAllowance;
}

/** The longest a tenant function may run (LIMIT_BOUNDS.functionTimeoutSeconds.max): what the router can outlive. */
export const TENANT_FUNCTION_MAX_SECONDS: number = LIMIT_BOUNDS.functionTimeoutSeconds.max;

const { min: BUILD_MIN, max: BUILD_MAX } = LIMIT_BOUNDS.buildTimeoutSeconds;
const BuildTimeout = v.pipe(
  v.string(),
  v.regex(/^\d+$/, `must be a whole number of seconds from ${BUILD_MIN} to ${BUILD_MAX}`),
  v.transform(Number),
  v.number(),
  v.minValue(BUILD_MIN, `must be at least ${BUILD_MIN} (Batch's minimum attempt duration)`),
  v.maxValue(BUILD_MAX, `must be at most ${BUILD_MAX} (the build credentials last one hour, which must cover the whole build step)`),
);

/** The platform's build cap from a setting's text (context buildTimeoutSeconds; unset: undefined); a bad value throws naming `field`. */
export function parseBuildTimeoutSeconds(value: string | undefined, field: string): number | undefined {
  return parseSetting(BuildTimeout, value, field);
}

/** The same bounds for a number given in code (a SlipwayStack prop): refused naming the setting. */
export function checkBuildTimeoutSeconds(value: number): number {
  const checked = parseBuildTimeoutSeconds(String(value), 'buildTimeoutSeconds');
  if (checked === undefined) throw new Error('buildTimeoutSeconds is required');
  return checked;
}
