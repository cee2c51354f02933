import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../infra/aws/app.js';
import { awsPlatformClients } from '../../infra/aws/runtime/platform-clients.js';

/**
 * The whole CDK app, synthesized the way `npm run synth` / `cdk deploy` does — bundling
 * included, with no Docker and no AWS credentials — and checked where the three systems meet.
 * Each system's own details are asserted in test/aws/{internal,projects,build-compute}.
 */
let template: Template;
let resources: Record<string, { Type: string; Properties: Record<string, any> }>;
let outdir: string;
let synthSeconds: number;

function ofType(type: string) {
  return Object.entries(resources).filter(([, r]) => r.Type === type);
}

function logicalId(type: string, pathPart: string): string {
  const found = Object.entries(resources).find(([id, r]) => r.Type === type && id.includes(pathPart));
  if (!found) throw new Error(`no ${type} with ${pathPart}`);
  return found[0];
}

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'slipway-synth-'));
  const saved = { docker: process.env.CDK_DOCKER, key: process.env.AWS_ACCESS_KEY_ID, validation: process.env.CDK_VALIDATION };
  process.env.CDK_DOCKER = '/nonexistent/docker';
  delete process.env.AWS_ACCESS_KEY_ID;
  // As `cdk deploy` synthesizes: with CDK's CloudFormation validation, which the other tests skip (vitest.config.ts).
  delete process.env.CDK_VALIDATION;
  try {
    const started = performance.now();
    const { app, pipeline } = buildApp({ outdir });
    app.synth();
    synthSeconds = (performance.now() - started) / 1000;
    template = Template.fromStack(pipeline);
    resources = template.toJSON().Resources;
  } finally {
    if (saved.docker === undefined) delete process.env.CDK_DOCKER;
    else process.env.CDK_DOCKER = saved.docker;
    if (saved.key !== undefined) process.env.AWS_ACCESS_KEY_ID = saved.key;
    if (saved.validation !== undefined) process.env.CDK_VALIDATION = saved.validation;
  }
  return () => rmSync(outdir, { recursive: true, force: true });
}, 300_000);

describe('the Slipway CDK app', () => {
  it('synthesizes offline into one stack with its assets staged', () => {
    console.log(`synth (with Lambda bundling) took ${synthSeconds.toFixed(2)} s`);
    const assets = JSON.parse(readFileSync(join(outdir, 'Slipway.assets.json'), 'utf8')) as {
      files: Record<string, any>;
      dockerImages: Record<string, any>;
    };
    const images = Object.values(assets.dockerImages);
    expect(images).toHaveLength(1);
    expect(images[0].source).toMatchObject({ dockerFile: 'buildrunner/Dockerfile' });
    expect(existsSync(join(outdir, images[0].source.directory, 'buildrunner', 'Dockerfile'))).toBe(true);
  });

  it('bundles each Lambda handler into its own asset, at the path its Handler names', () => {
    // CDK's own bucket-deployment provider (the dashboard's build files) is no Slipway handler.
    const functions = ofType('AWS::Lambda::Function').filter(([id]) => !id.startsWith('CustomCDKBucketDeployment'));
    expect(functions.length).toBeGreaterThanOrEqual(8);
    const keys = new Set<string>();
    for (const [id, fn] of functions) {
      expect(fn.Properties, id).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], TracingConfig: { Mode: 'Active' } });
      keys.add(JSON.stringify(fn.Properties.Code.S3Key));
      const handler = fn.Properties.Handler as string;
      const assetHash = String(fn.Properties.Code.S3Key).replace(/\.zip$/, '');
      const bundled = join(outdir, `asset.${assetHash}`, `${handler.slice(0, handler.lastIndexOf('.'))}.js`);
      expect(existsSync(bundled), `${id}: ${bundled}`).toBe(true);
    }
    expect(keys.size).toBe(functions.length);
  });

  it('runs the five state machines as standard workflows with tracing and logs without execution data', () => {
    const machines = ofType('AWS::StepFunctions::StateMachine');
    expect(machines.map(([, m]) => m.Properties.StateMachineName).sort()).toEqual([
      'slipway-build-and-deploy',
      'slipway-delete-project',
      'slipway-init-project',
      'slipway-rollback',
      'slipway-template-rollout',
    ]);
    for (const [, machine] of machines) {
      expect(machine.Properties).toMatchObject({
        StateMachineType: 'STANDARD',
        TracingConfiguration: { Enabled: true },
        LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: false },
      });
    }
  });

  it('wires the build step to the real job queue and job definition', () => {
    const queue = logicalId('AWS::Batch::JobQueue', 'Builds');
    const definition = logicalId('AWS::Batch::JobDefinition', 'Builds');
    const machine = ofType('AWS::StepFunctions::StateMachine').find(
      ([, m]) => m.Properties.StateMachineName === 'slipway-build-and-deploy',
    )?.[1];
    const asl = JSON.stringify(machine?.Properties.DefinitionString);
    expect(asl).toContain(`{"Fn::GetAtt":["${queue}","JobQueueArn"]}`);
    expect(asl).toContain(`{"Ref":"${definition}"}`);
  });

  it('lets only the build-and-deploy state machine take per-build credentials, and caps them at builds/* and sources/*', () => {
    const role = logicalId('AWS::IAM::Role', 'PipelineBuildCredentialsRole');
    const machineRole = logicalId('AWS::IAM::Role', 'PipelineBuildAndDeployStateMachineRole');
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Action: 'sts:AssumeRole',
            Condition: { ArnEquals: { 'aws:PrincipalArn': { 'Fn::GetAtt': [machineRole, 'Arn'] } } },
          }),
        ],
      },
      MaxSessionDuration: 3600,
    });
    const policies = ofType('AWS::IAM::Policy').filter(([, p]) => JSON.stringify(p.Properties.Roles).includes(role));
    const statements = policies.flatMap(
      ([, p]) => p.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>,
    );
    const actions = statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
    expect(actions.every((a) => a.startsWith('s3:'))).toBe(true);
    // The one delete a build may do: its own settings object, which the runner removes once read.
    const deletes = statements.filter((s) => JSON.stringify(s.Action).includes('s3:Delete'));
    expect(deletes.length).toBeGreaterThan(0);
    for (const statement of deletes)
      expect(JSON.stringify(statement.Resource)).toMatch(
        /^\{"Fn::Join":\["",\[\{"Fn::GetAtt":\["\w+","Arn"\]\},"\/builds\/\*\/env\.json"\]\]\}$/,
      );
    const writes = statements.filter((s) => JSON.stringify(s.Action).includes('s3:PutObject'));
    expect(JSON.stringify(writes.map((s) => s.Resource))).toContain('/builds/*');
    // The machine may assume that role and no other.
    const machinePolicy = ofType('AWS::IAM::Policy').filter(([, p]) => JSON.stringify(p.Properties.Roles).includes(machineRole));
    const assumes = machinePolicy
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Array<{ Action: unknown; Resource: unknown }>)
      .filter((s) => /sts:assumerole/i.test(JSON.stringify(s.Action)));
    expect(assumes).toEqual([expect.objectContaining({ Resource: { 'Fn::GetAtt': [role, 'Arn'] } })]);
  });

  it('gives the release and delete steps the route-cache KeyValueStore, and nobody else', () => {
    const kvs = logicalId('AWS::CloudFront::KeyValueStore', 'Projects');
    const writers = ofType('AWS::IAM::Policy').filter(([, p]) =>
      JSON.stringify(p.Properties.PolicyDocument).includes('cloudfront-keyvaluestore:UpdateKeys'),
    );
    const roles = writers.flatMap(([, p]) => JSON.stringify(p.Properties.Roles));
    expect(roles.join(' ')).toMatch(/PipelineReleaseFunction/);
    expect(roles.join(' ')).toMatch(/PipelineDeleteProjectDataFunction/);
    expect(writers).toHaveLength(2);
    for (const name of ['PipelineReleaseFunction', 'PipelineDeleteProjectDataFunction']) {
      const fn = resources[logicalId('AWS::Lambda::Function', name)];
      expect(fn?.Properties.Environment.Variables.SLIPWAY_ROUTE_CACHE_KVS_ARN).toEqual({ 'Fn::GetAtt': [kvs, 'Arn'] });
    }
  });

  it('points init-project at the per-project stack template asset', () => {
    const machine = ofType('AWS::StepFunctions::StateMachine').find(
      ([, m]) => m.Properties.StateMachineName === 'slipway-init-project',
    )?.[1];
    const asl = JSON.stringify(machine?.Properties.DefinitionString);
    expect(asl).toMatch(/cdk-hnb659fds-assets-.*\.json/);
    expect(asl).toContain('slipway-project-{}');
  });

  it('gives the API the state machine ARNs it starts', () => {
    const api = resources[logicalId('AWS::Lambda::Function', 'InternalApiFunction')];
    const env = api?.Properties.Environment.Variables;
    for (const [variable, name] of [
      ['SLIPWAY_STATE_MACHINE_INIT_PROJECT', 'InitProject'],
      ['SLIPWAY_STATE_MACHINE_BUILD_DEPLOY', 'BuildAndDeploy'],
      ['SLIPWAY_STATE_MACHINE_DELETE_PROJECT', 'DeleteProject'],
      ['SLIPWAY_STATE_MACHINE_ROLLBACK', 'Rollback'],
      ['SLIPWAY_STATE_MACHINE_TEMPLATE_ROLLOUT', 'TemplateRollout'],
    ]) {
      expect(env[variable as string]).toEqual({ Ref: logicalId('AWS::StepFunctions::StateMachine', `Pipeline${name}`) });
    }
    // The API's bindings read the rollout's ARN from there (POST /admin/template-rollout starts it).
    const rollout = 'arn:aws:states:eu-west-1:123456789012:stateMachine:slipway-template-rollout';
    const clients = awsPlatformClients({ SLIPWAY_STATE_MACHINE_TEMPLATE_ROLLOUT: rollout });
    expect(clients.executions.templateRollout).toBe(rollout);
    clients.executions.client.destroy();
  });
});
