import { beforeAll, describe, expect, it } from 'vitest';
import { App } from 'aws-cdk-lib';
import { platformStackId } from '../../infra/aws/app.js';
import { SlipwayStack } from '../../infra/aws/slipway-stack.js';
import { projectStackTemplate } from '../../infra/aws/projects/project-stack.js';
import { parseStage, projectStackName, stageName } from '../../handlers/lib/stage.js';
import { awsPlatformSettings } from '../../infra/aws/runtime/platform-settings.js';
import { STATE_MACHINE_PERMISSIONS } from '../../infra/aws/permissions/integration-permissions.js';

/**
 * Two stages of the whole platform synthesized in one app, as two `cdk deploy -c stage=…` would
 * put them in one account: no physical name is shared, and no IAM resource pattern of one stage
 * (its state machines', functions', tenant-stack role's, boundary's) matches a resource of the other.
 */
const REGION = 'eu-west-1';
const ACCOUNT = '123456789012';
const STAGES = ['prod', 'dev'] as const;
type Stage = (typeof STAGES)[number];
type Json = Record<string, any>;

/** Keys whose string value is a resource's account-wide physical name (inline policy names and index names are per parent). */
const NAME_KEYS = new Set([
  'TableName',
  'StateMachineName',
  'JobQueueName',
  'JobDefinitionName',
  'LogGroupName',
  'ManagedPolicyName',
  'Name',
  'FunctionName',
  'RoleName',
]);
const PER_PARENT_TYPES = new Set(['AWS::ApiGatewayV2::Stage']);

/**
 * Actions AWS authorizes on `*` only (no resource-level permission in the service authorization
 * reference), or Deny statements: these are the same for every stage by nature.
 */
const RESOURCELESS_ACTIONS = new Set<string>([
  // Every state machine's own tracing and logging (the permission table's documented lists).
  ...STATE_MACHINE_PERMISSIONS.tracing.actions,
  ...STATE_MACHINE_PERMISSIONS.logging.actions,
  'ecr:GetAuthorizationToken',
  'batch:DescribeJobs',
  'ec2:DescribeNetworkInterfaces',
]);

const templates = {} as Record<Stage, Json>;
const tenantTemplates = {} as Record<Stage, Json>;

beforeAll(() => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stacks = STAGES.map((stage) => new SlipwayStack(app, platformStackId(stage), { stage, validateProjectTemplate: false }));
  const assembly = app.synth();
  for (const [index, stage] of STAGES.entries()) {
    templates[stage] = assembly.getStackByName(stacks[index]?.stackName ?? '').template as Json;
    tenantTemplates[stage] = projectStackTemplate({ stage }, { validate: false });
  }
}, 180_000);

/** A template value as text: pseudo parameters filled in, a reference to one of the stack's own resources left as `{ref}` (it cannot name the other stage's). */
function resolve(value: unknown, parameters: Record<string, string> = {}): string {
  if (typeof value === 'string') return value;
  const v = value as Json;
  const pseudo: Record<string, string> = {
    'AWS::Partition': 'aws',
    'AWS::Region': REGION,
    'AWS::AccountId': ACCOUNT,
    'AWS::URLSuffix': 'amazonaws.com',
    ...parameters,
  };
  if ('Ref' in v) return pseudo[v.Ref] ?? `{ref:${v.Ref}}`;
  if ('Fn::GetAtt' in v) return `{ref:${[v['Fn::GetAtt']].flat().join('.')}}`;
  if ('Fn::Join' in v) return (v['Fn::Join'][1] as unknown[]).map((part) => resolve(part, parameters)).join(v['Fn::Join'][0]);
  if ('Fn::Sub' in v) {
    const text = typeof v['Fn::Sub'] === 'string' ? v['Fn::Sub'] : v['Fn::Sub'][0];
    return String(text).replace(/\$\{([^}]+)\}/g, (_, name: string) => pseudo[name] ?? `{ref:${name}}`);
  }
  return `{ref:${JSON.stringify(v)}}`;
}

/** Every account-wide physical name a template chooses, with the resource type it names. */
function physicalNames(template: Json, parameters: Record<string, string> = {}): Array<{ type: string; name: string }> {
  const names: Array<{ type: string; name: string }> = [];
  for (const resource of Object.values<Json>(template.Resources)) {
    if (PER_PARENT_TYPES.has(resource.Type)) continue;
    for (const [key, value] of Object.entries(resource.Properties ?? {})) {
      if (!NAME_KEYS.has(key)) continue;
      const name = resolve(value, parameters);
      // A reference to another of the stack's resources (a permission's FunctionName) chooses no name.
      if (!name.startsWith('{ref:')) names.push({ type: resource.Type, name });
    }
  }
  return names;
}

/** The ARNs of a stage's named resources, as IAM would match them (a tenant `demo` stands for every tenant). */
function namedArns(stage: Stage): string[] {
  const arns: string[] = [];
  const tenant = projectStackName(stage, 'demo');
  const tenantNames = physicalNames(tenantTemplates[stage], { Project: 'demo' });
  for (const { type, name } of [...physicalNames(templates[stage]), ...tenantNames]) {
    if (type === 'AWS::DynamoDB::GlobalTable' || type === 'AWS::DynamoDB::Table')
      arns.push(
        `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${name}`,
        `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${name}/index/byEntity`,
      );
    if (type === 'AWS::StepFunctions::StateMachine')
      arns.push(`arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${name}`, `arn:aws:states:${REGION}:${ACCOUNT}:execution:${name}:x`);
    if (type === 'AWS::Batch::JobQueue') arns.push(`arn:aws:batch:${REGION}:${ACCOUNT}:job-queue/${name}`);
    if (type === 'AWS::Batch::JobDefinition') arns.push(`arn:aws:batch:${REGION}:${ACCOUNT}:job-definition/${name}:1`);
    if (type === 'AWS::IAM::ManagedPolicy') arns.push(`arn:aws:iam::${ACCOUNT}:policy/${name}`);
    if (type === 'AWS::Logs::LogGroup')
      arns.push(`arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${name}`, `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${name}:*`);
    if (type === 'AWS::SSM::Parameter') arns.push(`arn:aws:ssm:${REGION}:${ACCOUNT}:parameter${name}`);
    if (type === 'AWS::Lambda::Function')
      arns.push(`arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`, `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}:3`);
  }
  // The tenant stack itself and the role CloudFormation names after it.
  arns.push(`arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/${tenant}/0a1b2c3d-1111-2222-3333-444455556666`);
  arns.push(`arn:aws:iam::${ACCOUNT}:role/${tenant}-FunctionRole-1A2B3C4D5E6F`);
  return arns;
}

interface Statement {
  where: string;
  effect: string;
  actions: string[];
  resources: string[];
}

/** Every IAM statement of a template (role policies, managed policies, inline policies), resources resolved to text. */
function statements(template: Json): Statement[] {
  const out: Statement[] = [];
  for (const [id, resource] of Object.entries<Json>(template.Resources)) {
    const documents = [resource.Properties?.PolicyDocument, ...(resource.Properties?.Policies ?? []).map((p: Json) => p.PolicyDocument)];
    for (const document of documents.filter(Boolean)) {
      for (const s of [document.Statement].flat() as Json[]) {
        if (!s.Resource) continue;
        out.push({ where: id, effect: s.Effect, actions: [s.Action].flat(), resources: [s.Resource].flat().map((r) => resolve(r)) });
      }
    }
  }
  return out;
}

/** IAM's wildcard match: `*` any run of characters, `?` any one. */
function iamMatches(pattern: string, arn: string): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`).test(arn);
}

describe('stages: dev and prod of the whole platform in one account', () => {
  it('share no physical name', () => {
    const named = (stage: Stage) =>
      [...physicalNames(templates[stage]), ...physicalNames(tenantTemplates[stage], { Project: 'demo' })].map((n) => n.name);
    const prod = named('prod');
    const dev = named('dev');
    // The default stage keeps the names from before stages (an existing deployment keeps its table, state machines and tenants).
    expect(prod).toEqual(
      expect.arrayContaining(['slipway-platform', 'slipway-build-and-deploy', 'slipway-tenant-function-boundary', 'slipway-project-demo']),
    );
    expect(dev).toEqual(
      expect.arrayContaining([
        'slipway-dev-platform',
        'slipway-dev-build-and-deploy',
        'slipway-dev-tenant-function-boundary',
        'slipway-dev-project-demo',
      ]),
    );
    expect(prod.filter((name) => dev.includes(name))).toEqual([]);
  });

  it('name the tenant stacks each workflow creates after their own stage', () => {
    for (const stage of STAGES) {
      const machines = Object.values<Json>(templates[stage].Resources).filter((r) => r.Type === 'AWS::StepFunctions::StateMachine');
      const definitions = machines.map((m) => resolve(m.Properties.DefinitionString)).join('\n');
      expect(definitions).toContain(`States.Format('${projectStackName(stage, '{}')}', $.project)`);
      const other = STAGES.find((s) => s !== stage) as Stage;
      expect(definitions).not.toContain(`States.Format('${projectStackName(other, '{}')}'`);
    }
  });

  for (const [stage, other] of [
    ['prod', 'dev'],
    ['dev', 'prod'],
  ] as const) {
    it(`give ${stage} no IAM right on a resource of ${other}`, () => {
      const theirs = namedArns(other);
      expect(theirs.length).toBeGreaterThan(15);
      const reaching: string[] = [];
      for (const statement of [...statements(templates[stage]), ...statements(tenantTemplates[stage])]) {
        for (const pattern of statement.resources) {
          if (pattern === '*') {
            // Only actions AWS cannot scope to a resource, or a Deny, may stand on "*".
            const scopable = statement.effect === 'Deny' ? [] : statement.actions.filter((a) => !RESOURCELESS_ACTIONS.has(a));
            if (scopable.length > 0) reaching.push(`${statement.where}: ${scopable.join(', ')} on *`);
            continue;
          }
          for (const arn of theirs.filter((a) => iamMatches(pattern, a))) reaching.push(`${statement.where}: ${pattern} matches ${arn}`);
        }
      }
      expect(reaching).toEqual([]);
    });
  }

  it("tell every platform function its stage, which its handlers' settings carry", () => {
    for (const stage of STAGES) {
      const functions = Object.values<Json>(templates[stage].Resources).filter(
        // Slipway's own functions; CDK's BucketDeployment provider is not one and names nothing.
        (r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === 'slipway',
      );
      expect(functions.length).toBeGreaterThan(5);
      for (const fn of functions) expect(fn.Properties.Environment.Variables.SLIPWAY_STAGE).toBe(stage);
    }
    expect(awsPlatformSettings({ SLIPWAY_STAGE: 'dev' }).stage).toBe('dev');
    expect(awsPlatformSettings({}).stage).toBe('prod');
    expect(() => awsPlatformSettings({ SLIPWAY_STAGE: 'project' })).toThrow(/"field":"SLIPWAY_STAGE"/);
  });

  it('accepts only stage names that cannot reach into another stage', () => {
    expect(parseStage(undefined, 'context.stage')).toBe('prod');
    expect(parseStage('dev', 'context.stage')).toBe('dev');
    expect(stageName('qa1', 'platform')).toBe('slipway-qa1-platform');
    // A hyphen would let `slipway-a-` prefix `slipway-a-b-`; `project` would put a stage's names under the default stage's `slipway-project-*`.
    for (const bad of ['dev-a', 'project', 'Dev', '1dev', 'toolong8', '']) {
      if (bad === '') expect(parseStage(bad, 'context.stage')).toBe('prod');
      else expect(() => parseStage(bad, 'context.stage'), bad).toThrow(/"field":"context.stage"/);
    }
  });
});
