import { ArnFormat, Stack, aws_iam as iam } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { projectStackName } from '../../../handlers/lib/stage.js';
import {
  BOUNDARY_CONDITIONED_ACTIONS,
  TENANT_STACK_TEMPLATE_PERMISSIONS,
  type TenantScope,
  tenantStackActionsByScope,
  tenantStackDeniedActions,
} from '../permissions/tenant-stack-permissions.js';
import { acknowledge, nagResource, nagText } from '../shared/nag.js';
import { tenantBoundaryPolicyName } from './project-stack.js';
import { stageOf } from '../shared/stage.js';

export interface TenantStackRoleProps {
  /** The project bucket's ARN: the role reads tenant code from it. */
  projectBucketArn: string;
  /** The SSM parameter naming the project bucket (the template's CodeBucket parameter). */
  codeBucketParameterArn: string;
}

/**
 * The CloudFormation service role of every tenant stack (`RoleARN` on each create, update and
 * delete the workflows make), and the permissions boundary every tenant role is created with.
 *
 * The role holds what CloudFormation's handlers need for exactly the resource types of the
 * per-project template (infra/aws/permissions/tenant-stack-permissions.ts), on resources named
 * `slipway-project-*` (`slipway-{stage}-project-*` in another stage). It may create a role, or give one a policy, only with the boundary, and
 * may never remove it: whatever a template says, a tenant function can only write its own logs.
 */
export class TenantStackRole extends Construct {
  readonly role: iam.Role;
  /** Allows a tenant function exactly what its role does: write to its own log group. */
  readonly boundary: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: TenantStackRoleProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const stage = stageOf(this);
    // Tenant stacks, their functions, log groups and roles are all named after the stack.
    const tenant = projectStackName(stage, '*');
    const logGroup = stack.formatArn({
      service: 'logs',
      resource: 'log-group',
      resourceName: `/aws/lambda/${tenant}`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });

    this.boundary = new iam.ManagedPolicy(this, 'TenantBoundary', {
      managedPolicyName: tenantBoundaryPolicyName(stage),
      description: 'Slipway: the most any tenant function role may do (write its own logs)',
      statements: [
        new iam.PolicyStatement({
          sid: 'OwnLogsOnly',
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [`${logGroup}:*`],
        }),
      ],
    });

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('cloudformation.amazonaws.com'),
      description: `Slipway: CloudFormation service role of the tenant stacks (${tenant})`,
    });

    const resources: Record<TenantScope, string[]> = {
      'tenant-function': [
        stack.formatArn({ service: 'lambda', resource: 'function', resourceName: tenant, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
        stack.formatArn({ service: 'lambda', resource: 'function', resourceName: `${tenant}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
      ],
      'tenant-log-group': [logGroup, `${logGroup}:*`],
      'tenant-role': [stack.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: tenant })],
      'tenant-code': [`${props.projectBucketArn}/*/deployments/*/function.zip`],
      any: ['*'],
    };
    for (const [scope, actions] of tenantStackActionsByScope()) {
      const unconditioned = actions.filter((action) => !BOUNDARY_CONDITIONED_ACTIONS.includes(action) && action !== 'iam:PassRole');
      if (unconditioned.length > 0) this.role.addToPolicy(new iam.PolicyStatement({ actions: unconditioned, resources: resources[scope] }));
    }
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'TenantRolesOnlyWithBoundary',
        actions: [...BOUNDARY_CONDITIONED_ACTIONS],
        resources: resources['tenant-role'],
        conditions: { StringEquals: { 'iam:PermissionsBoundary': this.boundary.managedPolicyArn } },
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'PassTenantRolesToLambda',
        actions: ['iam:PassRole'],
        resources: resources['tenant-role'],
        conditions: { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } },
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'KeepTheBoundary',
        effect: iam.Effect.DENY,
        actions: tenantStackDeniedActions(),
        resources: ['*'],
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'TemplateParameters',
        actions: Object.keys(TENANT_STACK_TEMPLATE_PERMISSIONS),
        resources: [props.codeBucketParameterArn],
      }),
    );

    const region = nagText(stack.region, 'AWS::Region');
    const account = nagText(stack.account, 'AWS::AccountId');
    const tenantReason = `CloudFormation manages each tenant stack’s resources with this role: only resources named ${tenant}.`;
    acknowledge(this.role, {
      'AwsSolutions-IAM5[Resource::*]':
        'logs:DescribeLogGroups, logs:DescribeResourcePolicies and ec2:DescribeNetworkInterfaces (read-only, listed by the LogGroup and Function handlers) support no resource-level permission; the only other "*" is a Deny.',
      [`AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:lambda:${region}:${account}:function:${tenant}]`]: tenantReason,
      [`AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:lambda:${region}:${account}:function:${tenant}:*]`]: `${tenantReason} Versions are qualifiers of the tenant function.`,
      [`AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:${region}:${account}:log-group:/aws/lambda/${tenant}]`]: tenantReason,
      [`AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:${region}:${account}:log-group:/aws/lambda/${tenant}:*]`]: tenantReason,
      [`AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::${account}:role/${tenant}]`]: `${tenantReason} CloudFormation generates the role's name from the stack's; creating one or giving it a policy needs the tenant boundary.`,
      [`AwsSolutions-IAM5[Resource::${nagResource(this, resources['tenant-code'][0] ?? '')}]`]:
        'The code of any tenant deployment: the Function handler reads it when a stack is created or updated.',
    });
    acknowledge(this.boundary, {
      [`AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:${region}:${account}:log-group:/aws/lambda/${tenant}:*]`]:
        'The boundary admits any tenant’s own log group; each tenant role narrows it to its one log group.',
    });
  }
}
