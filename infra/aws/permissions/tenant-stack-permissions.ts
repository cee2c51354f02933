/**
 * What CloudFormation's resource handlers call for each resource type of the per-project template
 * (infra/aws/projects/project-stack.ts), and so what the tenant-stack service role holds
 * (infra/aws/projects/tenant-stack-role.ts). A test fails when the template gains a resource type
 * or a property this table does not cover (test/aws/permissions/tenant-stack-permissions.test.ts).
 *
 * The rule: a handler's read-only actions on the tenant's own resources are granted as the schema
 * lists them; an action that only a property the template does not set would need (a VPC, a KMS
 * key, layers, code signing, managed policies, a resource policy) is withheld and listed with
 * that property, so using the property means revisiting this table.
 */

/** CloudFormation resource handlers (the registry schema's `handlers`; `list` is never called on a stack). */
export const CFN_HANDLERS = ['create', 'read', 'update', 'delete'] as const;
export type CfnHandler = (typeof CFN_HANDLERS)[number];

/**
 * What an action is scoped to in the service role's policy: the tenant's own resources by name
 * prefix wherever AWS allows it, `*` only where the action supports no resource-level permission.
 */
export type TenantScope =
  /** `function:slipway-project-*` and its versions `function:slipway-project-*:*`. */
  | 'tenant-function'
  /** `log-group:/aws/lambda/slipway-project-*` (with and without the `:*` suffix). */
  | 'tenant-log-group'
  /** `role/slipway-project-*` (CloudFormation names the role `{stack}-FunctionRole-{suffix}`). */
  | 'tenant-role'
  /** The tenant code objects `{project bucket}/*\/deployments/*\/function.zip`. */
  | 'tenant-code'
  /** No resource-level permission exists for the action. */
  | 'any';

export interface ResourceTypePermissions {
  /** Where the handler lists come from. */
  source: string;
  /** Properties of this type the per-project template may set: a new one must be checked against the schema first. */
  properties: readonly string[];
  /** Actions granted for each handler. */
  handlers: Readonly<Record<CfnHandler, readonly string[]>>;
  /** Actions the schema lists that are withheld, each with the property (not in the template) that would need it, first. */
  withheld: Readonly<Record<string, string>>;
  /** Actions the schema lists that the service role is explicitly denied, with why. */
  denied?: Readonly<Record<string, string>>;
  /** A fact about this type that shapes the grants. */
  note?: string;
  /** Set for a type only stacks made from an earlier per-project template still hold: why they need it. */
  legacy?: string;
}

const REGISTRY = 'CloudFormation registry schema (`aws cloudformation describe-type --type RESOURCE --type-name';
const CFN_LINT_COPY = 'copy kept by cfn-lint: src/cfnlint/data/schemas/providers/us_east_1';

export const TENANT_STACK_RESOURCE_PERMISSIONS = {
  'AWS::Logs::LogGroup': {
    source: `${REGISTRY} AWS::Logs::LogGroup\`, handlers; ${CFN_LINT_COPY}/aws-logs-loggroup.json)`,
    properties: ['LogGroupName', 'RetentionInDays'],
    handlers: {
      create: [
        'logs:DescribeLogGroups',
        'logs:CreateLogGroup',
        'logs:PutRetentionPolicy',
        'logs:TagResource',
        'logs:GetDataProtectionPolicy',
        'logs:DescribeResourcePolicies',
      ],
      read: ['logs:DescribeLogGroups', 'logs:ListTagsForResource', 'logs:GetDataProtectionPolicy'],
      update: [
        'logs:DescribeLogGroups',
        'logs:PutRetentionPolicy',
        'logs:DeleteRetentionPolicy',
        'logs:TagResource',
        'logs:UntagResource',
        'logs:GetDataProtectionPolicy',
      ],
      delete: ['logs:DescribeLogGroups', 'logs:DeleteLogGroup', 'logs:DeleteDataProtectionPolicy'],
    },
    withheld: {
      'logs:PutDataProtectionPolicy': 'DataProtectionPolicy',
      'logs:CreateLogDelivery': 'DataProtectionPolicy (audit destinations)',
      's3:REST.PUT.OBJECT': 'DataProtectionPolicy (audit destinations)',
      'firehose:TagDeliveryStream': 'DataProtectionPolicy (audit destinations)',
      'logs:PutResourcePolicy': 'ResourcePolicyDocument',
      'logs:AssociateKmsKey': 'KmsKeyId',
      'logs:DisassociateKmsKey': 'KmsKeyId',
    },
  },
  'AWS::IAM::Role': {
    source: `${REGISTRY} AWS::IAM::Role\`, handlers); the IAM User Guide, "Permissions boundaries for IAM entities" (the iam:PermissionsBoundary condition key)`,
    properties: ['Description', 'AssumeRolePolicyDocument', 'Policies', 'PermissionsBoundary'],
    handlers: {
      create: ['iam:CreateRole', 'iam:PutRolePolicy', 'iam:GetRole', 'iam:GetRolePolicy', 'iam:TagRole'],
      read: ['iam:GetRole', 'iam:GetRolePolicy', 'iam:ListRolePolicies', 'iam:ListAttachedRolePolicies'],
      update: [
        'iam:GetRole',
        'iam:UpdateRole',
        'iam:UpdateRoleDescription',
        'iam:UpdateAssumeRolePolicy',
        'iam:PutRolePolicy',
        'iam:DeleteRolePolicy',
        'iam:PutRolePermissionsBoundary',
        'iam:TagRole',
        'iam:UntagRole',
        'iam:ListRolePolicies',
        'iam:ListAttachedRolePolicies',
      ],
      delete: [
        'iam:GetRole',
        'iam:DeleteRole',
        'iam:DeleteRolePolicy',
        'iam:ListRolePolicies',
        'iam:ListAttachedRolePolicies',
        'iam:ListInstanceProfilesForRole',
      ],
    },
    withheld: {
      'iam:AttachRolePolicy': 'ManagedPolicyArns',
      'iam:DetachRolePolicy': 'ManagedPolicyArns',
      'iam:RemoveRoleFromInstanceProfile': 'InstanceProfile (a resource type of its own, never in the template)',
    },
    denied: { 'iam:DeleteRolePermissionsBoundary': 'a tenant role keeps the tenant boundary whatever a template says' },
    note: 'CreateRole, PutRolePolicy and PutRolePermissionsBoundary are allowed only with the tenant boundary (iam:PermissionsBoundary); deleting is not, so stacks from before the boundary can still be deleted.',
  },
  'AWS::Lambda::Function': {
    source: `${REGISTRY} AWS::Lambda::Function\`, handlers; ${CFN_LINT_COPY}/aws-lambda-function.json); the read calls the issue names (GetFunctionRecursionConfig, GetRuntimeManagementConfig)`,
    properties: [
      'FunctionName',
      'Description',
      'Runtime',
      'Architectures',
      'Handler',
      'Code',
      'Role',
      'MemorySize',
      'Timeout',
      'ReservedConcurrentExecutions',
      'LoggingConfig',
      'Environment',
    ],
    handlers: {
      create: [
        'lambda:CreateFunction',
        'lambda:GetFunction',
        'lambda:PutFunctionConcurrency',
        'iam:PassRole',
        's3:GetObject',
        's3:GetObjectVersion',
        'lambda:GetFunctionCodeSigningConfig',
        'lambda:GetRuntimeManagementConfig',
        'lambda:GetFunctionRecursionConfig',
        'lambda:TagResource',
        'lambda:GetPolicy',
        'lambda:GetResourcePolicy',
      ],
      read: [
        'lambda:GetFunction',
        'lambda:GetFunctionCodeSigningConfig',
        'lambda:GetFunctionRecursionConfig',
        'lambda:GetRuntimeManagementConfig',
      ],
      update: [
        'lambda:GetFunction',
        'lambda:UpdateFunctionConfiguration',
        'lambda:UpdateFunctionCode',
        'lambda:PutFunctionConcurrency',
        'lambda:DeleteFunctionConcurrency',
        'lambda:ListTags',
        'lambda:TagResource',
        'lambda:UntagResource',
        'iam:PassRole',
        's3:GetObject',
        's3:GetObjectVersion',
        'lambda:GetFunctionCodeSigningConfig',
        'lambda:GetRuntimeManagementConfig',
        'lambda:GetFunctionRecursionConfig',
        'lambda:GetPolicy',
        'lambda:GetResourcePolicy',
      ],
      delete: ['lambda:DeleteFunction', 'ec2:DescribeNetworkInterfaces'],
    },
    withheld: {
      'ec2:DescribeSecurityGroups': 'VpcConfig',
      'ec2:DescribeSubnets': 'VpcConfig',
      'ec2:DescribeVpcs': 'VpcConfig',
      'elasticfilesystem:DescribeMountTargets': 'FileSystemConfigs',
      'kms:CreateGrant': 'KmsKeyArn',
      'kms:Decrypt': 'KmsKeyArn',
      'kms:Encrypt': 'KmsKeyArn',
      'kms:GenerateDataKey': 'KmsKeyArn',
      'lambda:GetLayerVersion': 'Layers',
      'lambda:GetCodeSigningConfig': 'CodeSigningConfigArn',
      'lambda:PutFunctionCodeSigningConfig': 'CodeSigningConfigArn',
      'lambda:DeleteFunctionCodeSigningConfig': 'CodeSigningConfigArn',
      'lambda:PutRuntimeManagementConfig': 'RuntimeManagementConfig',
      'lambda:PutFunctionRecursionConfig': 'RecursiveLoop',
      'lambda:AddPermission': 'Policy',
      'lambda:RemovePermission': 'Policy',
      'lambda:PutResourcePolicy': 'Policy',
      'lambda:DeleteResourcePolicy': 'Policy',
    },
  },
  'AWS::Lambda::Version': {
    source: `${REGISTRY} AWS::Lambda::Version\`, handlers); ${CFN_LINT_COPY}/aws-lambda-version.json (properties)`,
    properties: ['FunctionName', 'Description'],
    handlers: {
      create: ['lambda:PublishVersion', 'lambda:GetFunctionConfiguration', 'lambda:GetProvisionedConcurrencyConfig'],
      read: ['lambda:GetFunctionConfiguration', 'lambda:GetProvisionedConcurrencyConfig', 'lambda:GetRuntimeManagementConfig'],
      update: [],
      delete: ['lambda:GetFunctionConfiguration', 'lambda:DeleteFunction'],
    },
    withheld: {
      'lambda:PutProvisionedConcurrencyConfig': 'ProvisionedConcurrencyConfig',
      'lambda:PutRuntimeManagementConfig': 'RuntimeManagementConfig',
    },
    note: 'Every property is create-only: a new DeploymentId replaces the version (create), and replaced versions are retained, so delete runs only when the whole function goes.',
  },
  'AWS::Lambda::Alias': {
    source: `${REGISTRY} AWS::Lambda::Alias\`, handlers)`,
    properties: ['Name', 'FunctionName', 'FunctionVersion', 'Description'],
    handlers: {
      create: ['lambda:CreateAlias', 'lambda:GetAlias', 'lambda:GetProvisionedConcurrencyConfig'],
      read: ['lambda:GetAlias', 'lambda:GetProvisionedConcurrencyConfig'],
      update: ['lambda:UpdateAlias', 'lambda:GetAlias', 'lambda:GetProvisionedConcurrencyConfig'],
      delete: ['lambda:DeleteAlias', 'lambda:GetAlias'],
    },
    withheld: {
      'lambda:PutProvisionedConcurrencyConfig': 'ProvisionedConcurrencyConfig',
      'lambda:DeleteProvisionedConcurrencyConfig': 'ProvisionedConcurrencyConfig',
    },
    legacy:
      'Stacks created before production followed a version pointer have a `live` alias; their next update applies the current template (every update passes TemplateURL) and so deletes it, and an update that fails rolls back to it.',
  },
} as const satisfies Record<string, ResourceTypePermissions>;

export type TenantResourceType = keyof typeof TENANT_STACK_RESOURCE_PERMISSIONS;

/** Where each granted action applies (see TenantScope). */
export const TENANT_ACTION_SCOPES: Readonly<Record<string, TenantScope>> = {
  'logs:DescribeLogGroups': 'any',
  'logs:DescribeResourcePolicies': 'any',
  'logs:CreateLogGroup': 'tenant-log-group',
  'logs:PutRetentionPolicy': 'tenant-log-group',
  'logs:DeleteRetentionPolicy': 'tenant-log-group',
  'logs:TagResource': 'tenant-log-group',
  'logs:UntagResource': 'tenant-log-group',
  'logs:ListTagsForResource': 'tenant-log-group',
  'logs:GetDataProtectionPolicy': 'tenant-log-group',
  'logs:DeleteDataProtectionPolicy': 'tenant-log-group',
  'logs:DeleteLogGroup': 'tenant-log-group',
  'iam:CreateRole': 'tenant-role',
  'iam:PutRolePolicy': 'tenant-role',
  'iam:GetRole': 'tenant-role',
  'iam:GetRolePolicy': 'tenant-role',
  'iam:TagRole': 'tenant-role',
  'iam:UntagRole': 'tenant-role',
  'iam:ListRolePolicies': 'tenant-role',
  'iam:ListAttachedRolePolicies': 'tenant-role',
  'iam:ListInstanceProfilesForRole': 'tenant-role',
  'iam:UpdateRole': 'tenant-role',
  'iam:UpdateRoleDescription': 'tenant-role',
  'iam:UpdateAssumeRolePolicy': 'tenant-role',
  'iam:DeleteRolePolicy': 'tenant-role',
  'iam:PutRolePermissionsBoundary': 'tenant-role',
  'iam:DeleteRole': 'tenant-role',
  'iam:PassRole': 'tenant-role',
  'lambda:CreateFunction': 'tenant-function',
  'lambda:GetFunction': 'tenant-function',
  'lambda:PutFunctionConcurrency': 'tenant-function',
  'lambda:DeleteFunctionConcurrency': 'tenant-function',
  'lambda:GetFunctionCodeSigningConfig': 'tenant-function',
  'lambda:GetRuntimeManagementConfig': 'tenant-function',
  'lambda:GetFunctionRecursionConfig': 'tenant-function',
  'lambda:TagResource': 'tenant-function',
  'lambda:UntagResource': 'tenant-function',
  'lambda:ListTags': 'tenant-function',
  'lambda:GetPolicy': 'tenant-function',
  'lambda:GetResourcePolicy': 'tenant-function',
  'lambda:UpdateFunctionConfiguration': 'tenant-function',
  'lambda:UpdateFunctionCode': 'tenant-function',
  'lambda:DeleteFunction': 'tenant-function',
  'lambda:PublishVersion': 'tenant-function',
  'lambda:GetFunctionConfiguration': 'tenant-function',
  'lambda:GetProvisionedConcurrencyConfig': 'tenant-function',
  'lambda:CreateAlias': 'tenant-function',
  'lambda:UpdateAlias': 'tenant-function',
  'lambda:DeleteAlias': 'tenant-function',
  'lambda:GetAlias': 'tenant-function',
  's3:GetObject': 'tenant-code',
  's3:GetObjectVersion': 'tenant-code',
  'ec2:DescribeNetworkInterfaces': 'any',
};

/**
 * Role actions allowed only when the request names the tenant boundary (the `iam:PermissionsBoundary`
 * condition key): a tenant role can never be created or given a policy without it.
 */
export const BOUNDARY_CONDITIONED_ACTIONS: readonly string[] = ['iam:CreateRole', 'iam:PutRolePolicy', 'iam:PutRolePermissionsBoundary'];

/**
 * What CloudFormation itself needs for the template, beyond the resources: the code bucket's name
 * comes from an `AWS::SSM::Parameter::Value<String>` parameter.
 */
export const TENANT_STACK_TEMPLATE_PERMISSIONS = {
  'ssm:GetParameters': 'the CodeBucket parameter (AWS::SSM::Parameter::Value<String>) is resolved on every create and update',
} as const;

/** Every action the service role holds, from the table (each handler's list, deduplicated). */
export function tenantStackActions(): string[] {
  const actions = new Set<string>();
  for (const type of Object.values(TENANT_STACK_RESOURCE_PERMISSIONS) as ResourceTypePermissions[])
    for (const handler of CFN_HANDLERS) for (const action of type.handlers[handler]) actions.add(action);
  return [...actions].sort();
}

/** Every action the service role is explicitly denied (the rows' `denied`). */
export function tenantStackDeniedActions(): string[] {
  return (Object.values(TENANT_STACK_RESOURCE_PERMISSIONS) as ResourceTypePermissions[]).flatMap((type) => Object.keys(type.denied ?? {}));
}

/** The granted actions grouped by the scope they apply to. */
export function tenantStackActionsByScope(): Map<TenantScope, string[]> {
  const byScope = new Map<TenantScope, string[]>();
  for (const action of tenantStackActions()) {
    const scope = TENANT_ACTION_SCOPES[action];
    if (!scope) throw new Error(`tenant stack permissions: no scope for ${action} (add it to TENANT_ACTION_SCOPES)`);
    byScope.set(scope, [...(byScope.get(scope) ?? []), action]);
  }
  return byScope;
}
