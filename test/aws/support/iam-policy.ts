import { buildApp } from '../../../infra/aws/app.js';

/**
 * A small IAM evaluator over a synthesized template, for permission tests: the statements that
 * apply to one role (its inline policies, the AWS::IAM::Policy and ManagedPolicy resources attached
 * to it), and whether they allow an action on a resource with a request context. It resolves
 * CloudFormation references to readable stand-ins (`arn:aws:...` with the test's account and
 * region; `<Logical.Attr>` for attributes) so tests can name the resources a call would touch.
 * Explicit Deny wins; conditions support StringEquals/StringLike/ArnEquals/ArnLike.
 */

type Json = Record<string, unknown>;
export interface TemplateResource {
  Type: string;
  Properties?: Json;
}
export interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  Resource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}
export interface ResolvedStatement {
  sid?: string;
  effect: 'Allow' | 'Deny';
  actions: string[];
  resources: string[];
  conditions: Record<string, Record<string, string[]>>;
}

export const TEST_ACCOUNT = '123456789012';
export const TEST_REGION = 'eu-west-1';

/** The whole platform's template (no Lambda bundling: it does not change any policy). */
export function platformTemplate(context: Record<string, unknown> = {}): Record<string, TemplateResource> {
  const { app, pipeline } = buildApp({ context: { 'aws:cdk:bundling-stacks': [], ...context }, validateTemplates: false });
  const assembly = app.synth();
  return (assembly.getStackArtifact(pipeline.artifactId).template as { Resources: Record<string, TemplateResource> }).Resources;
}

/** The text a CloudFormation value resolves to here. */
export function resolveValue(value: unknown, resources: Record<string, TemplateResource>): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  const v = value as Json;
  if ('Ref' in v) {
    const ref = String(v.Ref);
    if (ref === 'AWS::Partition') return 'aws';
    if (ref === 'AWS::Region') return TEST_REGION;
    if (ref === 'AWS::AccountId') return TEST_ACCOUNT;
    if (ref === 'AWS::URLSuffix') return 'amazonaws.com';
    const resource = resources[ref];
    const policyName = resource?.Properties?.ManagedPolicyName;
    if (resource?.Type === 'AWS::IAM::ManagedPolicy' && typeof policyName === 'string')
      return `arn:aws:iam::${TEST_ACCOUNT}:policy/${policyName}`;
    const name = resource?.Properties?.StateMachineName ?? resource?.Properties?.FunctionName ?? resource?.Properties?.TableName;
    if (resource?.Type === 'AWS::StepFunctions::StateMachine' && typeof name === 'string')
      return `arn:aws:states:${TEST_REGION}:${TEST_ACCOUNT}:stateMachine:${name}`;
    return `<${ref}>`;
  }
  if ('Fn::GetAtt' in v) {
    const [id, attribute] = v['Fn::GetAtt'] as [string, string];
    return `<${id}.${attribute}>`;
  }
  if ('Fn::Join' in v) {
    const [separator, parts] = v['Fn::Join'] as [string, unknown[]];
    return parts.map((part) => resolveValue(part, resources)).join(separator);
  }
  if ('Fn::Sub' in v) {
    const sub = v['Fn::Sub'];
    const [text, variables] = (Array.isArray(sub) ? sub : [sub, {}]) as [string, Json];
    return text.replace(/\$\{([^}]+)\}/g, (_, name: string) =>
      name in variables
        ? resolveValue(variables[name], resources)
        : name.includes('.')
          ? resolveValue({ 'Fn::GetAtt': name.split('.') }, resources)
          : resolveValue({ Ref: name }, resources),
    );
  }
  if ('Fn::Select' in v) {
    const [index, list] = v['Fn::Select'] as [number, unknown];
    const items = Array.isArray(list) ? list.map((item) => resolveValue(item, resources)) : resolveValue(list, resources).split(',');
    return items[Number(index)] ?? '';
  }
  if ('Fn::Split' in v) {
    const [separator, text] = v['Fn::Split'] as [string, unknown];
    return resolveValue(text, resources).split(separator).join(',');
  }
  return JSON.stringify(v);
}

const list = (value: unknown): unknown[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

function resolveStatement(statement: Statement, resources: Record<string, TemplateResource>): ResolvedStatement {
  const conditions: ResolvedStatement['conditions'] = {};
  for (const [operator, keys] of Object.entries(statement.Condition ?? {}))
    conditions[operator] = Object.fromEntries(
      Object.entries(keys).map(([key, values]) => [key, list(values).map((value) => resolveValue(value, resources))]),
    );
  return {
    ...(statement.Sid ? { sid: statement.Sid } : {}),
    effect: statement.Effect,
    actions: list(statement.Action).map(String),
    resources: list(statement.Resource).map((resource) => resolveValue(resource, resources)),
    conditions,
  };
}

const refersTo = (refs: unknown, logicalId: string) => list(refs).some((ref) => (ref as Json)?.Ref === logicalId);

/** Every statement that applies to the role `roleLogicalId`. */
export function roleStatements(resources: Record<string, TemplateResource>, roleLogicalId: string): ResolvedStatement[] {
  const role = resources[roleLogicalId];
  if (role?.Type !== 'AWS::IAM::Role') throw new Error(`${roleLogicalId} is not a role`);
  const documents: Json[] = [];
  for (const policy of list(role.Properties?.Policies)) documents.push((policy as Json).PolicyDocument as Json);
  for (const resource of Object.values(resources)) {
    if (
      (resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy') &&
      refersTo(resource.Properties?.Roles, roleLogicalId)
    )
      documents.push(resource.Properties?.PolicyDocument as Json);
  }
  for (const managed of list(role.Properties?.ManagedPolicyArns)) {
    // The one AWS managed policy Slipway attaches (Lambda's basic execution role): logs only.
    if (resolveValue(managed, resources).endsWith(':policy/service-role/AWSLambdaBasicExecutionRole'))
      documents.push({
        Statement: [{ Effect: 'Allow', Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'], Resource: '*' }],
      });
    else throw new Error(`${roleLogicalId}: managed policy ${JSON.stringify(managed)} is not modelled here`);
  }
  return documents.flatMap((document) => list(document.Statement).map((statement) => resolveStatement(statement as Statement, resources)));
}

/** IAM's wildcard match (`*` any run, `?` one character); `caseInsensitive` for action names. */
export function wildcardMatch(pattern: string, value: string, caseInsensitive = false): boolean {
  const source = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, caseInsensitive ? 'i' : '').test(value);
}

function conditionsHold(conditions: ResolvedStatement['conditions'], context: Record<string, string>): boolean {
  return Object.entries(conditions).every(([operator, keys]) =>
    Object.entries(keys).every(([key, values]) => {
      const actual = context[key];
      if (actual === undefined) return false;
      if (operator === 'StringEquals' || operator === 'ArnEquals') return values.includes(actual);
      if (operator === 'StringLike' || operator === 'ArnLike') return values.some((value) => wildcardMatch(value, actual));
      return false;
    }),
  );
}

function applies(statement: ResolvedStatement, action: string, resource: string, context: Record<string, string>): boolean {
  return (
    statement.actions.some((pattern) => wildcardMatch(pattern, action, true)) &&
    statement.resources.some((pattern) => wildcardMatch(pattern, resource)) &&
    conditionsHold(statement.conditions, context)
  );
}

/** Whether the statements allow `action` on `resource` in `context` (explicit Deny wins). */
export function allows(statements: ResolvedStatement[], action: string, resource: string, context: Record<string, string> = {}): boolean {
  if (statements.some((s) => s.effect === 'Deny' && applies(s, action, resource, context))) return false;
  return statements.some((s) => s.effect === 'Allow' && applies(s, action, resource, context));
}

/** The logical id of the one resource of `type` whose id contains `part`. */
export function logicalIdOf(resources: Record<string, TemplateResource>, type: string, part: string): string {
  const found = Object.keys(resources).filter((id) => resources[id]?.Type === type && id.includes(part));
  if (found.length !== 1) throw new Error(`expected one ${type} with ${part} in its id, found ${found.join(', ') || 'none'}`);
  return found[0] as string;
}
