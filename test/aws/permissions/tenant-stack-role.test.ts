import { beforeAll, describe, expect, it } from 'vitest';
import {
  BOUNDARY_CONDITIONED_ACTIONS,
  CFN_HANDLERS,
  type CfnHandler,
  type ResourceTypePermissions,
  TENANT_ACTION_SCOPES,
  TENANT_STACK_RESOURCE_PERMISSIONS,
  tenantStackActions,
  tenantStackDeniedActions,
} from '../../../infra/aws/permissions/tenant-stack-permissions.js';
import { TENANT_BOUNDARY_POLICY_NAME, projectStackTemplate } from '../../../infra/aws/projects/project-stack.js';
import {
  TEST_ACCOUNT,
  TEST_REGION,
  type ResolvedStatement,
  type TemplateResource,
  allows,
  logicalIdOf,
  platformTemplate,
  resolveValue,
  roleStatements,
} from '../support/iam-policy.js';
import { taskStates } from '../support/state-machines.js';
import { FIRST_DEPLOY_STEPS } from '../support/first-deploy-walkthrough.js';

// biome-ignore lint/suspicious/noExplicitAny: template JSON is read field by field, as in the other template tests
type Json = Record<string, any>;

const table = TENANT_STACK_RESOURCE_PERMISSIONS as Record<string, ResourceTypePermissions>;
const BOUNDARY_ARN = `arn:aws:iam::${TEST_ACCOUNT}:policy/${TENANT_BOUNDARY_POLICY_NAME}`;

let project: {
  Resources: Record<string, { Type: string; Properties?: Json; Condition?: string; DeletionPolicy?: string }>;
  Conditions: Json;
};
let platform: Record<string, TemplateResource>;
let serviceRole: ResolvedStatement[];
let codeBucketArn: string;

beforeAll(() => {
  project = projectStackTemplate({}, { validate: false }) as typeof project;
  platform = platformTemplate();
  serviceRole = roleStatements(platform, logicalIdOf(platform, 'AWS::IAM::Role', 'TenantStackRole'));
  codeBucketArn = `<${logicalIdOf(platform, 'AWS::S3::Bucket', 'ProjectBucket')}.Arn>`;
}, 120_000);

/** The ARNs a handler's actions touch for one tenant resource (by the action's scope). */
function resourceArns(project: string, action: string, type: string, deployment: string): string[] {
  const fn = `arn:aws:lambda:${TEST_REGION}:${TEST_ACCOUNT}:function:slipway-project-${project}`;
  const logGroup = `arn:aws:logs:${TEST_REGION}:${TEST_ACCOUNT}:log-group:/aws/lambda/slipway-project-${project}`;
  // CloudFormation names the role from the stack (truncating a long stack name) and a random suffix.
  const role = `arn:aws:iam::${TEST_ACCOUNT}:role/${`slipway-project-${project}`.slice(0, 40)}-FunctionRole-1A2B3C4D5E6F`;
  switch (TENANT_ACTION_SCOPES[action]) {
    case 'tenant-function':
      if (type === 'AWS::Lambda::Alias') return [`${fn}:live`];
      return type === 'AWS::Lambda::Version' && action !== 'lambda:PublishVersion' ? [`${fn}:7`] : [fn];
    case 'tenant-log-group':
      return [logGroup, `${logGroup}:*`];
    case 'tenant-role':
      return [role];
    case 'tenant-code':
      return [`${codeBucketArn}/${project}/deployments/${deployment}/function.zip`];
    case 'any':
      return ['*'];
    default:
      throw new Error(`no scope for ${action}`);
  }
}

/** The request context CloudFormation's call carries for an action on a tenant stack. */
function requestContext(action: string): Record<string, string> {
  if (action === 'iam:PassRole') return { 'iam:PassedToService': 'lambda.amazonaws.com' };
  if (BOUNDARY_CONDITIONED_ACTIONS.includes(action)) return { 'iam:PermissionsBoundary': BOUNDARY_ARN };
  return {};
}

/** Every action of `handler` on `type` the service role does not allow, for project `name`. */
function missing(type: string, handler: CfnHandler, name: string, deployment = 'd1'): string[] {
  const row = table[type];
  if (!row) return [`${type}: not in the permission table`];
  return row.handlers[handler].flatMap((action) =>
    resourceArns(name, action, type, deployment)
      .filter((arn) => !allows(serviceRole, action, arn, requestContext(action)))
      .map((arn) => `${type} ${handler}: ${action} on ${arn}`),
  );
}

describe('the tenant-stack permission table', () => {
  it('covers every resource type and property the per-project template uses, and only those', () => {
    const used = new Map<string, Set<string>>();
    for (const resource of Object.values(project.Resources)) {
      const props = used.get(resource.Type) ?? new Set<string>();
      for (const key of Object.keys(resource.Properties ?? {})) props.add(key);
      used.set(resource.Type, props);
    }
    for (const [type, props] of used) {
      expect(table[type], `${type} is in the per-project template but not in TENANT_STACK_RESOURCE_PERMISSIONS`).toBeDefined();
      const uncovered = [...props].filter((prop) => !table[type]?.properties.includes(prop));
      expect(uncovered, `${type} properties without a permission review`).toEqual([]);
    }
    // No stale rows: a type the template dropped stays only while earlier stacks still hold it.
    expect(
      Object.keys(table)
        .filter((type) => !table[type]?.legacy)
        .sort(),
    ).toEqual([...used.keys()].sort());
    for (const [type, row] of Object.entries(table))
      if (row.legacy) expect(used.has(type), `${type} is marked legacy but still used`).toBe(false);
  });

  it('withholds only actions whose property the template does not set', () => {
    for (const [type, row] of Object.entries(table)) {
      const set = new Set(Object.values(project.Resources).flatMap((r) => (r.Type === type ? Object.keys(r.Properties ?? {}) : [])));
      for (const [action, property] of Object.entries(row.withheld)) {
        expect(set.has(property.split(' ')[0] ?? ''), `${type}: ${action} is withheld but ${property} is set`).toBe(false);
        for (const handler of CFN_HANDLERS) expect(row.handlers[handler], `${type} ${handler}`).not.toContain(action);
      }
    }
  });

  it('scopes every granted action', () => {
    expect(tenantStackActions().filter((action) => !TENANT_ACTION_SCOPES[action])).toEqual([]);
  });
});

describe('the tenant-stack service role (synthesized)', () => {
  it("allows every handler's actions on a tenant's resources, for short and 40-character project names", () => {
    const gaps = Object.keys(table).flatMap((type) =>
      CFN_HANDLERS.flatMap((handler) => [...missing(type, handler, 'demo'), ...missing(type, handler, 'a'.repeat(40))]),
    );
    expect(gaps).toEqual([]);
  });

  it('is assumed by CloudFormation only', () => {
    const role = platform[logicalIdOf(platform, 'AWS::IAM::Role', 'TenantStackRole')]!;
    expect((role.Properties as Json).AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'cloudformation.amazonaws.com' } },
    ]);
  });

  it('creates a role or gives it a policy only with the tenant boundary, and never removes it', () => {
    const role = `arn:aws:iam::${TEST_ACCOUNT}:role/slipway-project-demo-FunctionRole-1A2B3C4D5E6F`;
    for (const action of BOUNDARY_CONDITIONED_ACTIONS) {
      expect(allows(serviceRole, action, role, { 'iam:PermissionsBoundary': BOUNDARY_ARN }), action).toBe(true);
      expect(allows(serviceRole, action, role), `${action} without a boundary`).toBe(false);
      expect(
        allows(serviceRole, action, role, { 'iam:PermissionsBoundary': `arn:aws:iam::${TEST_ACCOUNT}:policy/AdministratorAccess` }),
      ).toBe(false);
    }
    expect(tenantStackDeniedActions()).toContain('iam:DeleteRolePermissionsBoundary');
    for (const action of tenantStackDeniedActions())
      expect(allows(serviceRole, action, role, { 'iam:PermissionsBoundary': BOUNDARY_ARN }), action).toBe(false);
    expect(allows(serviceRole, 'iam:AttachRolePolicy', role, { 'iam:PermissionsBoundary': BOUNDARY_ARN })).toBe(false);
    expect(allows(serviceRole, 'iam:PassRole', role, { 'iam:PassedToService': 'ec2.amazonaws.com' })).toBe(false);
  });

  it('touches nothing of the platform: not its functions, roles, log groups or another prefix', () => {
    const others = [
      ['lambda:UpdateFunctionCode', `arn:aws:lambda:${TEST_REGION}:${TEST_ACCOUNT}:function:Slipway-InternalApiFunction1234`],
      ['lambda:DeleteFunction', `arn:aws:lambda:${TEST_REGION}:${TEST_ACCOUNT}:function:slipway-router`],
      ['iam:PutRolePolicy', `arn:aws:iam::${TEST_ACCOUNT}:role/Slipway-PipelineReleaseFunctionServiceRole`],
      ['iam:DeleteRole', `arn:aws:iam::${TEST_ACCOUNT}:role/Slipway-ProjectsTenantStackRole`],
      ['logs:DeleteLogGroup', `arn:aws:logs:${TEST_REGION}:${TEST_ACCOUNT}:log-group:/aws/vendedlogs/states/slipway:*`],
      ['s3:GetObject', `${codeBucketArn}/demo/deployments/d1/server/index.js`],
    ] as const;
    for (const [action, arn] of others)
      expect(allows(serviceRole, action, arn, { 'iam:PermissionsBoundary': BOUNDARY_ARN }), `${action} ${arn}`).toBe(false);
  });

  it('bounds every tenant role by a boundary that allows only writing logs', () => {
    const roles = Object.values(project.Resources).filter((r) => r.Type === 'AWS::IAM::Role');
    expect(roles.length).toBeGreaterThan(0);
    for (const role of roles)
      expect(role.Properties?.PermissionsBoundary).toEqual({
        'Fn::Sub': `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:policy/${TENANT_BOUNDARY_POLICY_NAME}`,
      });
    const boundary = platform[logicalIdOf(platform, 'AWS::IAM::ManagedPolicy', 'TenantBoundary')]!;
    expect((boundary.Properties as Json).ManagedPolicyName).toBe(TENANT_BOUNDARY_POLICY_NAME);
    const statements = (boundary.Properties as Json).PolicyDocument.Statement as Json[];
    expect(statements.flatMap((s) => s.Action).sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
    expect(statements.every((s) => s.Effect === 'Allow')).toBe(true);
  });

  it('is passed as RoleARN on every create, update and delete of a tenant stack, and the state machines (and the update step) may pass only it, only to CloudFormation', () => {
    const roleId = logicalIdOf(platform, 'AWS::IAM::Role', 'TenantStackRole');
    const machines = Object.entries(platform).filter(([, r]) => r.Type === 'AWS::StepFunctions::StateMachine');
    const updateFunction = logicalIdOf(platform, 'AWS::Lambda::Function', 'UpdateProjectStackFunction');
    let calls = 0;
    for (const [id, machine] of machines) {
      for (const state of taskStates(resolveValue((machine.Properties as Json).DefinitionString, platform))) {
        const resource = state.Resource;
        // The deploy and rollback updates are the *Update project stack* Lambda's call, with the RoleARN its payload names.
        const stackCall = (state.Parameters as Json | undefined)?.stackCall as Json | undefined;
        if (stackCall) {
          calls++;
          expect(resource, `${id}: ${state.name}`).toContain(updateFunction);
          expect(stackCall.RoleARN, `${id}: ${state.name}`).toBe(`<${roleId}.Arn>`);
          continue;
        }
        if (!/:cloudformation:(createStack|updateStack|deleteStack)$/.test(resource)) continue;
        calls++;
        expect(state.Parameters?.RoleARN, `${id}: ${resource}`).toBe(`<${roleId}.Arn>`);
      }
    }
    const updateRole = ((platform[updateFunction]!.Properties as Json).Role['Fn::GetAtt'] as string[])[0]!;
    const principals: Array<[string, string]> = [
      ...machines.map(([id, machine]): [string, string] => [id, ((machine.Properties as Json).RoleArn['Fn::GetAtt'] as string[])[0]!]),
      [updateFunction, updateRole],
    ];
    for (const [id, principalRole] of principals) {
      const statements = roleStatements(platform, principalRole);
      const tenantFn = `arn:aws:lambda:${TEST_REGION}:${TEST_ACCOUNT}:function:slipway-project-demo`;
      expect(allows(statements, 'lambda:CreateFunction', tenantFn), `${id} creates tenant functions itself`).toBe(false);
      expect(allows(statements, 'iam:CreateRole', `arn:aws:iam::${TEST_ACCOUNT}:role/slipway-project-demo-x`), id).toBe(false);
      const passes = statements.filter((s) => s.effect === 'Allow' && s.actions.some((a) => /^iam:PassRole$/i.test(a)));
      for (const pass of passes) {
        expect(pass.resources, id).toEqual([`<${roleId}.Arn>`]);
        expect(pass.conditions, id).toEqual({ StringEquals: { 'iam:PassedToService': ['cloudformation.amazonaws.com'] } });
      }
    }
    expect(
      allows(roleStatements(platform, updateRole), 'iam:PassRole', `<${roleId}.Arn>`, {
        'iam:PassedToService': 'cloudformation.amazonaws.com',
      }),
    ).toBe(true);
    // init-project creates, build-and-deploy and rollback update, delete-project deletes.
    expect(calls).toBeGreaterThanOrEqual(4);
  });
});

/**
 * The walkthrough of docs/DEPLOY-AWS.md "A tenant's first deploy" (FIRST_DEPLOY_STEPS, the names
 * its table uses), replayed against the per-project template: init-project creates the stack with DeploymentId none, the first deploy updates it with
 * a deployment, the second deploy with another, and deleting the project deletes it. At each step
 * the resources CloudFormation creates, updates or deletes are computed from the template
 * (conditions and parameters evaluated, properties compared), and every action of that handler
 * (and of read, which CloudFormation runs after each change) must be allowed to the service role.
 */
describe("replay of a tenant's first deploy against the service role", () => {
  it('covers every resource each step creates, updates and deletes', () => {
    let before: Map<string, { type: string; properties: string; retain: boolean }> = new Map();
    const touched: string[] = [];
    const gaps: string[] = [];
    for (const step of FIRST_DEPLOY_STEPS) {
      const after = step.parameters ? instantiate(step.parameters) : new Map();
      const deployment = step.parameters?.DeploymentId ?? 'd2';
      for (const [id, resource] of after) {
        const previous = before.get(id);
        const handler: CfnHandler | undefined = !previous ? 'create' : previous.properties !== resource.properties ? 'update' : undefined;
        if (!handler) continue;
        // A Version's properties are all create-only: a change replaces it (a new one is created).
        const effective = handler === 'update' && resource.type === 'AWS::Lambda::Version' ? 'create' : handler;
        touched.push(`${step.name}: ${effective} ${resource.type}`);
        gaps.push(...missing(resource.type, effective, 'demo', deployment), ...missing(resource.type, 'read', 'demo', deployment));
      }
      for (const [id, resource] of before) {
        if (after.has(id) || resource.retain) continue;
        touched.push(`${step.name}: delete ${resource.type}`);
        gaps.push(...missing(resource.type, 'delete', 'demo', deployment));
      }
      before = after;
    }
    expect(gaps).toEqual([]);
    // The replay saw what the walkthrough describes (so it cannot pass by touching nothing).
    expect(touched).toEqual([
      'init-project: create the stack: create AWS::Logs::LogGroup',
      'init-project: create the stack: create AWS::IAM::Role',
      'first deploy: update to d1: create AWS::Lambda::Function',
      'first deploy: update to d1: create AWS::Lambda::Version',
      'second deploy: update to d2: update AWS::Lambda::Function',
      'second deploy: update to d2: create AWS::Lambda::Version',
      'delete-project: delete the stack: delete AWS::Logs::LogGroup',
      'delete-project: delete the stack: delete AWS::IAM::Role',
      'delete-project: delete the stack: delete AWS::Lambda::Function',
    ]);
  });
});

/** The per-project template's resources as CloudFormation would hold them with these parameters. */
function instantiate(parameters: Record<string, string>): Map<string, { type: string; properties: string; retain: boolean }> {
  const values: Record<string, string> = { MemorySize: '1024', FunctionTimeout: '30', ReservedConcurrency: '0', ...parameters };
  const condition = (name: string): boolean => evaluate(project.Conditions[name]) as boolean;
  const evaluate = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(evaluate).filter((v) => v !== undefined);
    if (!value || typeof value !== 'object') return value;
    const v = value as Json;
    if ('Ref' in v) return v.Ref === 'AWS::NoValue' ? undefined : (values[v.Ref] ?? v);
    if ('Fn::Equals' in v) return evaluate(v['Fn::Equals'][0]) === evaluate(v['Fn::Equals'][1]);
    if ('Fn::Not' in v) return !evaluate(v['Fn::Not'][0]);
    if ('Condition' in v) return condition(v.Condition);
    if ('Fn::If' in v) return condition(v['Fn::If'][0]) ? evaluate(v['Fn::If'][1]) : evaluate(v['Fn::If'][2]);
    if ('Fn::Sub' in v && typeof v['Fn::Sub'] === 'string')
      return (v['Fn::Sub'] as string).replace(/\$\{([^}]+)\}/g, (whole, name: string) => values[name] ?? whole);
    return Object.fromEntries(Object.entries(v).map(([key, inner]) => [key, evaluate(inner)]));
  };
  const result = new Map<string, { type: string; properties: string; retain: boolean }>();
  for (const [id, resource] of Object.entries(project.Resources)) {
    if (resource.Condition && !condition(resource.Condition)) continue;
    result.set(id, {
      type: resource.Type,
      properties: JSON.stringify(evaluate(resource.Properties ?? {})),
      retain: resource.DeletionPolicy === 'Retain',
    });
  }
  return result;
}
