import { CUSTOM_DOMAIN_FACTS } from './custom-domain-facts.js';
import { SDK_COMMAND_ACTIONS, type SdkCommandPermissions } from './sdk-call-permissions.js';
import { type IntegrationPermissions, STATE_MACHINE_PERMISSIONS, STEP_FUNCTIONS_INTEGRATIONS } from './integration-permissions.js';
import {
  BOUNDARY_CONDITIONED_ACTIONS,
  CFN_HANDLERS,
  type ResourceTypePermissions,
  TENANT_ACTION_SCOPES,
  TENANT_STACK_RESOURCE_PERMISSIONS,
  TENANT_STACK_TEMPLATE_PERMISSIONS,
} from './tenant-stack-permissions.js';

const code = (items: readonly string[]) => (items.length === 0 ? '—' : items.map((item) => `\`${item}\``).join(', '));

function tenantStackSection(): string[] {
  const lines = [
    '## Tenant stacks: the CloudFormation service role',
    '',
    'Every `createStack`, `updateStack` and `deleteStack` the workflows make on `slipway-project-{project}` passes',
    '`RoleARN`: the tenant-stack service role (`infra/aws/projects/tenant-stack-role.ts`). CloudFormation manages',
    "the stack's resources with that role's rights; the state machines, and the *Update project stack* Lambda that",
    'makes the deploy and rollback updates (it carries the runtime variables), hold only the `cloudformation:*Stack*`',
    'calls, read access to the template and the bucket parameter, and `iam:PassRole` on that one role (to',
    '`cloudformation.amazonaws.com`).',
    '',
    'The role holds, per resource type of the per-project template, what its resource handlers call',
    "(the registry schema's `handlers`), on resources named `slipway-project-*`. A handler's read-only actions",
    "on the tenant's own resources are granted as listed; an action only a property the template does not set",
    'would need is withheld (last column): setting that property means coming back here first.',
    `${code(BOUNDARY_CONDITIONED_ACTIONS)} are allowed only with the tenant boundary`,
    '(`iam:PermissionsBoundary` = `slipway-tenant-function-boundary`, which allows `logs:CreateLogStream` and',
    '`logs:PutLogEvents` on tenant log groups and nothing else), so a tenant role can never do more than log,',
    'whatever a template says.',
    '',
    'To re-check a row against the schema AWS publishes now:',
    '`aws cloudformation describe-type --type RESOURCE --type-name AWS::Lambda::Function --query Schema --output text`',
    "(its `handlers`). The replay of a tenant's first deploy ([DEPLOY-AWS.md](DEPLOY-AWS.md)) is tested against this table.",
    '',
    '| resource type | handler | actions granted | withheld (property that would need it) |',
    '| --- | --- | --- | --- |',
  ];
  for (const [type, row] of Object.entries(TENANT_STACK_RESOURCE_PERMISSIONS) as Array<[string, ResourceTypePermissions]>) {
    CFN_HANDLERS.forEach((handler, index) => {
      const withheld =
        index === 0
          ? [
              ...Object.entries(row.withheld).map(([action, property]) => `\`${action}\` (${property})`),
              ...Object.entries(row.denied ?? {}).map(([action, why]) => `\`${action}\` **denied**: ${why}`),
            ].join(', ') || '—'
          : '';
      lines.push(`| ${index === 0 ? `\`${type}\`` : ''} | ${handler} | ${code(row.handlers[handler])} | ${withheld} |`);
    });
  }
  lines.push('', '| resource type | properties the template may set | source | note |', '| --- | --- | --- | --- |');
  for (const [type, row] of Object.entries(TENANT_STACK_RESOURCE_PERMISSIONS) as Array<[string, ResourceTypePermissions]>)
    lines.push(
      `| \`${type}\` | ${code(row.properties)} | ${row.source} | ${[row.note, row.legacy && `Earlier stacks only: ${row.legacy}`].filter(Boolean).join(' ')} |`,
    );
  lines.push('', 'Where each action applies:', '', '| scope | resources | actions |', '| --- | --- | --- |');
  const scopes: Record<string, string> = {
    'tenant-function': '`function:slipway-project-*`, `function:slipway-project-*:*` (versions)',
    'tenant-log-group': '`log-group:/aws/lambda/slipway-project-*` (with and without `:*`)',
    'tenant-role': '`role/slipway-project-*` (CloudFormation names the role after the stack)',
    'tenant-code': '`{project bucket}/*/deployments/*/function.zip`',
    any: '`*` (the action supports no resource-level permission)',
  };
  for (const [scope, resources] of Object.entries(scopes)) {
    const actions = Object.entries(TENANT_ACTION_SCOPES)
      .filter(([, s]) => s === scope)
      .map(([action]) => action)
      .sort();
    lines.push(`| ${scope} | ${resources} | ${code(actions)} |`);
  }
  lines.push('', 'Template parameters:', '');
  for (const [action, why] of Object.entries(TENANT_STACK_TEMPLATE_PERMISSIONS)) lines.push(`- \`${action}\`: ${why}.`);
  return lines;
}

function integrationSection(): string[] {
  const lines = [
    '## Step Functions integrations',
    '',
    'Each Task state of the four state machines, by integration, and what its role needs as the Step Functions',
    'developer guide documents it (`test/aws/permissions/integration-permissions.test.ts` reads the synthesized',
    'machines and checks each role).',
    '',
    '| integration | actions (on) | source | note |',
    '| --- | --- | --- | --- |',
  ];
  for (const [key, row] of Object.entries(STEP_FUNCTIONS_INTEGRATIONS) as Array<[string, IntegrationPermissions]>) {
    const actions = Object.entries(row.actions)
      .map(([action, target]) => `\`${action}\` (${target})`)
      .join(', ');
    lines.push(`| \`${key}\` | ${actions} | ${row.source} | ${row.note ?? ''} |`);
  }
  lines.push('', 'Every state machine also needs, for itself:', '');
  for (const [need, row] of Object.entries(STATE_MACHINE_PERMISSIONS)) lines.push(`- ${need} (${row.source}): ${code(row.actions)}`);
  return lines;
}

function sdkSection(): string[] {
  const lines = [
    '## AWS SDK calls of the platform Lambdas',
    '',
    'The IAM action of each SDK command a platform Lambda sends. `test/aws/permissions/sdk-call-permissions.test.ts`',
    "bundles every function's handler with its bindings, collects the commands it can send, and checks its role.",
    '',
    '| command | actions | source |',
    '| --- | --- | --- |',
  ];
  for (const [command, row] of Object.entries(SDK_COMMAND_ACTIONS) as Array<[string, SdkCommandPermissions]>)
    lines.push(`| \`${command}\` | ${code(row.actions)} | ${row.source}${row.note ? ` — ${row.note}` : ''} |`);
  return lines;
}

function customDomainSection(): string[] {
  const lines = [
    '## Custom domains: CloudFront SaaS Manager',
    '',
    'What the custom-domain distribution, its connection group and the distribution tenants Release and',
    'Delete project data manage (and whose certificate states the API reads) rest on',
    '(`infra/aws/permissions/custom-domain-facts.ts`). Rows marked *open*',
    'were not confirmed by the documentation read: check them at the first deploy in an account.',
    '',
    '| fact | source |',
    '| --- | --- |',
  ];
  for (const row of CUSTOM_DOMAIN_FACTS) lines.push(`| ${row.open ? '*open:* ' : ''}${row.fact} | ${row.source} |`);
  return lines;
}

/** docs/AWS-PERMISSIONS.md, rendered from the permission tables. */
export function awsPermissionsMarkdown(): string {
  return `${[
    '# AWS permissions',
    '',
    '<!-- Generated by `npm run docs:aws-permissions` from infra/aws/permissions/; do not edit by hand. -->',
    '',
    'What each AWS role of the platform needs, why, and where AWS documents it. Tests hold the synthesized',
    'template to these tables (`test/aws/permissions/`).',
    '',
    ...tenantStackSection(),
    '',
    ...integrationSection(),
    '',
    ...sdkSection(),
    '',
    ...customDomainSection(),
  ].join('\n')}\n`;
}
