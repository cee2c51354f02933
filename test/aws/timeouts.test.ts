import { describe, expect, it } from 'vitest';
import * as v from 'valibot';
import { buildApp } from '../../infra/aws/app.js';
import { projectStackTemplate } from '../../infra/aws/projects/project-stack.js';
import { TIMEOUTS } from '../../infra/aws/shared/timeouts.js';
import {
  BUILT_IN_SUBSCRIPTIONS,
  LIMIT_BOUNDS,
  Limits,
  PipelineLimitsClaim,
  StoredLimits,
  pipelineLimitsOf,
  runnerBuildTimeoutSeconds,
} from '../../handlers/lib/limits.js';
import { awsPlatformSettings } from '../../infra/aws/runtime/platform-settings.js';

/**
 * The timeouts of a request's and a build's way on AWS, read back from the synthesized template,
 * each outer one outlasting what it waits for (docs/ARCHITECTURE.md, "Timeouts"). The AWS limits
 * they are held against: Lambda 900 s, an HTTP API's Lambda integration 30 s, CloudFront's origin
 * response timeout 60 s without a quota increase, a chained role session one hour.
 */
type Json = Record<string, any>;

const LAMBDA_MAX = 900;
const HTTP_API_INTEGRATION_MAX = 30;
const ORIGIN_READ_STANDARD_MAX = 60;
const CHAINED_SESSION_MAX = 3600;

function synth(context: Record<string, unknown> = {}): Json {
  const { app, pipeline } = buildApp({ context: { 'aws:cdk:bundling-stacks': [], ...context }, validateTemplates: false });
  return app.synth().getStackByName(pipeline.stackName).template as Json;
}

function only(template: Json, type: string, idPart: string): Json {
  const found = Object.entries<Json>(template.Resources).filter(([id, r]) => r.Type === type && id.includes(idPart));
  expect(found, `${type} ${idPart}`).toHaveLength(1);
  return (found[0] as [string, Json])[1];
}

/** The ASL of the build-and-deploy state machine, its Fn::Join resolved with placeholders. */
function buildAndDeploy(template: Json): Json {
  const machine = only(template, 'AWS::StepFunctions::StateMachine', 'BuildAndDeploy');
  const parts = machine.Properties.DefinitionString['Fn::Join'][1] as unknown[];
  return JSON.parse(parts.map((p) => (typeof p === 'string' ? p : 'REF')).join(''));
}

function states(definition: Json): Record<string, Json> {
  const all: Record<string, Json> = {};
  const walk = (machine: Json) => {
    for (const [name, state] of Object.entries<Json>(machine.States ?? {})) {
      all[name] = state;
      for (const branch of state.Branches ?? []) walk(branch);
      if (state.Iterator) walk(state.Iterator);
      if (state.ItemProcessor) walk(state.ItemProcessor);
    }
  };
  walk(definition);
  return all;
}

function buildChain(template: Json) {
  const all = Object.values(states(buildAndDeploy(template)));
  const job = all.find((s) => String(s.Resource).includes(':batch:submitJob.sync'));
  const credentials = all.find((s) => String(s.Resource).includes(':sts:assumeRole'));
  const definition = only(template, 'AWS::Batch::JobDefinition', 'JobDefinition');
  return {
    stepTimeout: job?.TimeoutSeconds as number,
    stepAttemptOverride: job?.Parameters?.Timeout,
    jobTimeout: definition.Properties.Timeout.AttemptDurationSeconds as number,
    credentials: credentials?.Parameters?.DurationSeconds as number,
  };
}

describe('timeouts on AWS, consistent end to end', () => {
  const template = synth();

  it('the API function ends before its HTTP API integration (30 s)', () => {
    const api = only(template, 'AWS::Lambda::Function', 'InternalApiFunction');
    const integrations = Object.values<Json>(template.Resources).filter((r) => r.Type === 'AWS::ApiGatewayV2::Integration');
    expect(integrations.length).toBeGreaterThan(0);
    for (const integration of integrations) {
      // Unset, an HTTP API's Lambda integration waits its maximum.
      const integrationSeconds = (integration.Properties.TimeoutInMillis ?? HTTP_API_INTEGRATION_MAX * 1000) / 1000;
      expect(integrationSeconds).toBeLessThanOrEqual(HTTP_API_INTEGRATION_MAX);
      expect(api.Properties.Timeout).toBeLessThan(integrationSeconds);
    }
    expect(api.Properties.Timeout).toBe(TIMEOUTS.apiFunction);
  });

  it('the router outlives the longest tenant function by a margin, within Lambda’s 900 s', () => {
    const router = only(template, 'AWS::Lambda::Function', 'ProjectsRouter');
    expect(router.Properties.Timeout).toBeLessThanOrEqual(LAMBDA_MAX);
    expect(router.Properties.Timeout).toBeGreaterThanOrEqual(LIMIT_BOUNDS.functionTimeoutSeconds.max + TIMEOUTS.routerMargin);
    // The tenant template accepts every timeout a subscription may give (its own bound is Lambda's).
    const tenant = projectStackTemplate({}, { validate: false }) as Json;
    expect(tenant.Parameters.FunctionTimeout.MaxValue).toBeGreaterThanOrEqual(LIMIT_BOUNDS.functionTimeoutSeconds.max);
    expect(tenant.Parameters.FunctionTimeout.MaxValue).toBeLessThanOrEqual(LAMBDA_MAX);
  });

  it('CloudFront waits for the router as long as it may without a quota increase, longer than any built-in subscription’s tenant runs', () => {
    const distribution = only(template, 'AWS::CloudFront::Distribution', 'ProjectsDistribution');
    const origins = distribution.Properties.DistributionConfig.Origins as Json[];
    const router = origins.find((o) => o.Id === 'router');
    expect(router, JSON.stringify(origins.map((o) => o.Id))).toBeDefined();
    const readTimeout = router?.CustomOriginConfig.OriginReadTimeout as number;
    expect(readTimeout).toBe(ORIGIN_READ_STANDARD_MAX);
    // A tenant that answers (starts its response) within its own timeout is never cut off by CloudFront first.
    for (const [name, limits] of Object.entries(BUILT_IN_SUBSCRIPTIONS)) {
      expect(limits.functionTimeoutSeconds, name).toBeLessThanOrEqual(readTimeout);
    }
  });

  it('a build: the credentials outlast the build step, which outlasts the job, which outlasts the build cap', () => {
    for (const cap of [undefined, LIMIT_BOUNDS.buildTimeoutSeconds.max]) {
      const chain = cap === undefined ? buildChain(template) : buildChain(synth({ buildTimeoutSeconds: String(cap) }));
      const buildCap = cap ?? 900;
      expect(chain.jobTimeout, 'job definition').toBeGreaterThanOrEqual(buildCap + TIMEOUTS.buildWrapUp);
      // The step sets no attempt duration: the job definition's applies, as the docs promise.
      expect(chain.stepAttemptOverride).toBeUndefined();
      expect(chain.stepTimeout, 'build step').toBeGreaterThanOrEqual(chain.jobTimeout + TIMEOUTS.buildQueueAllowance);
      expect(chain.credentials, 'credentials').toBeGreaterThanOrEqual(chain.stepTimeout);
      expect(chain.credentials).toBeLessThanOrEqual(CHAINED_SESSION_MAX);
    }
  });

  it('the runner stops a build at the subscription’s limit cut to the platform’s cap, before Batch ends the job', () => {
    for (const [cap, context] of [
      [900, {}],
      [2700, { buildTimeoutSeconds: '2700' }],
    ] as const) {
      const built = cap === 900 ? template : synth(context);
      const verify = only(built, 'AWS::Lambda::Function', 'VerifyTicketFunction');
      expect(verify.Properties.Environment.Variables.SLIPWAY_BUILD_TIMEOUT_CAP).toBe(String(cap));
      expect(awsPlatformSettings({ SLIPWAY_BUILD_TIMEOUT_CAP: String(cap) }).buildTimeoutCap).toBe(cap);
      // The pro subscription's 2700 s under the default cap: the runner stops at 900, Batch only at 900 + 120.
      expect(runnerBuildTimeoutSeconds(BUILT_IN_SUBSCRIPTIONS.pro?.buildTimeoutSeconds ?? 0, cap)).toBe(Math.min(2700, cap));
      expect(runnerBuildTimeoutSeconds(600, cap)).toBe(600);
      expect(buildChain(built).jobTimeout).toBeGreaterThan(runnerBuildTimeoutSeconds(LIMIT_BOUNDS.buildTimeoutSeconds.max, cap));
    }
    // Locally no cap is bound: the subscription's limit applies as signed.
    expect(runnerBuildTimeoutSeconds(2700, undefined)).toBe(2700);
    expect(() => awsPlatformSettings({ SLIPWAY_BUILD_TIMEOUT_CAP: '9000' })).toThrow(/"field":"SLIPWAY_BUILD_TIMEOUT_CAP"/);
  });

  it('refuses a build cap the credentials could not cover, naming the context key', () => {
    expect(() => synth({ buildTimeoutSeconds: String(LIMIT_BOUNDS.buildTimeoutSeconds.max + 1) })).toThrow(
      /"field":"context.buildTimeoutSeconds".*(at most|to) 2700/,
    );
    expect(() => synth({ buildTimeoutSeconds: '15m' })).toThrow(/"field":"context.buildTimeoutSeconds"/);
  });

  it('a subscription stored or signed under the old maxima still parses, clamped; a new one above them is refused', () => {
    const old: Record<string, number> = { ...BUILT_IN_SUBSCRIPTIONS.pro, buildTimeoutSeconds: 7200, functionTimeoutSeconds: 900 };
    const stored = v.parse(StoredLimits, old);
    expect(stored.buildTimeoutSeconds).toBe(LIMIT_BOUNDS.buildTimeoutSeconds.max);
    expect(stored.functionTimeoutSeconds).toBe(LIMIT_BOUNDS.functionTimeoutSeconds.max);
    expect(stored.projectsPerUser).toBe(old.projectsPerUser);
    const claim = v.parse(PipelineLimitsClaim, pipelineLimitsOf(old as v.InferOutput<typeof Limits>));
    expect(claim.buildTimeoutSeconds).toBe(LIMIT_BOUNDS.buildTimeoutSeconds.max);
    expect(v.safeParse(Limits, old).success).toBe(false);
    expect(v.safeParse(StoredLimits, { ...old, buildTimeoutSeconds: 30 }).success).toBe(false);
  });
});
