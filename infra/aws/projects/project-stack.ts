import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  App,
  Aws,
  CfnCondition,
  CfnOutput,
  CfnParameter,
  CfnDeletionPolicy,
  DefaultStackSynthesizer,
  Fn,
  Stack,
  Token,
  aws_iam as iam,
  aws_lambda as lambda,
  aws_logs as logs,
  type StackProps,
} from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { FUNCTION_QUALIFIER, PROJECT_NAME_PATTERN } from '../../../handlers/lib/names.js';
import { DEPLOYMENT_VERSION_OUTPUT } from '../../../handlers/pipeline/deployment-version.js';
import { DEFAULT_STAGE, projectStackName, stageName, stagePrefix } from '../../../handlers/lib/stage.js';
/** The SSM parameter holding the project bucket's name in `stage` (ProjectSystem writes it). */
export function codeBucketParameterName(stage: string): string {
  return `/${stagePrefix(stage)}/project-bucket`;
}
/** The default stage's code bucket parameter. */
export const DEFAULT_CODE_BUCKET_PARAMETER = codeBucketParameterName(DEFAULT_STAGE);
import {
  NO_RUNTIME_ENV,
  RUNTIME_ENV_PARAMETER,
  RUNTIME_ENV_VARIABLE,
  platformVariables,
} from '../../../handlers/lib/project-settings/function-environment.js';
/**
 * The managed policy every tenant role of `stage` is bounded by (infra/aws/projects/tenant-stack-role.ts
 * creates it; the template names it by ARN in the stack's own account and partition).
 */
export function tenantBoundaryPolicyName(stage: string): string {
  return stageName(stage, 'tenant-function-boundary');
}
/** The default stage's tenant boundary. */
export const TENANT_BOUNDARY_POLICY_NAME = tenantBoundaryPolicyName(DEFAULT_STAGE);
/** Days the tenant function's logs are kept. */
export const TENANT_LOG_RETENTION_DAYS = 30;

export interface ProjectStackProps extends StackProps {
  /** SSM parameter (String) with the name of the project bucket that holds `function.zip`. */
  codeBucketParameter?: string;
  /** The platform's stage, which the function, log group and boundary names carry (default `prod`). */
  stage?: string;
}

/**
 * One tenant's stack, `slipway-project-{Project}`, created by the init-project workflow (with
 * DeploymentId `none`: no function yet) and updated by build-and-deploy with each DeploymentId:
 *
 * - the server function `slipway-project-{Project}` (Node 22, arm64, Handler
 *   `server/handler.handler`), code `{Project}/deployments/{DeploymentId}/function.zip` from the
 *   project bucket (written by the promote step);
 * - a version per deployment (output `DeploymentVersion`, kept when replaced): Release writes it
 *   into the route-cache pointer `{deploymentId}@{version}`, and the router invokes exactly that
 *   version, for production as for a preview. No alias: an update publishes a version nothing
 *   invokes until Release moves a pointer, so it never changes what a request sees;
 * - the deployment's runtime variables in the function's environment, from the NoEcho parameter
 *   `RuntimeEnvironment` (handlers/lib/project-settings/function-environment.ts): the version
 *   published with them keeps them, so a rollback to it serves them again;
 * - its log group with retention;
 * - a role that may only write to that log group: no access to the platform or other tenants,
 *   bounded by the platform's tenant boundary (the same, whatever this template says).
 *
 * The template is synthesized once per platform synth (no bootstrap rule, no asset, no token),
 * so CloudFormation can take it by TemplateURL from any caller.
 */
export class ProjectStack extends Stack {
  constructor(scope: Construct, id: string, props: ProjectStackProps = {}) {
    const stage = props.stage ?? DEFAULT_STAGE;
    super(scope, id, {
      ...props,
      analyticsReporting: false,
      synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }),
      description: props.description ?? 'Slipway project: the tenant server function, a version per deployment, and logs',
    });

    const project = new CfnParameter(this, 'Project', {
      type: 'String',
      description: 'Project name (the first label of its host)',
      allowedPattern: PROJECT_NAME_PATTERN.source,
    });
    const deploymentId = new CfnParameter(this, 'DeploymentId', {
      type: 'String',
      default: 'none',
      description: 'Live deployment id, or "none" before the first deployment',
      allowedPattern: `^(none|${FUNCTION_QUALIFIER})$`,
    });
    const codeBucket = new CfnParameter(this, 'CodeBucket', {
      type: 'AWS::SSM::Parameter::Value<String>',
      default: props.codeBucketParameter ?? codeBucketParameterName(stage),
      description: 'SSM parameter naming the project bucket',
    });
    const memory = new CfnParameter(this, 'MemorySize', { type: 'Number', default: 1024, minValue: 128, maxValue: 10240 });
    const functionTimeout = new CfnParameter(this, 'FunctionTimeout', {
      type: 'Number',
      default: 30,
      minValue: 1,
      maxValue: 900,
      description: "Seconds an invocation may run (the owner's subscription: functionTimeoutSeconds)",
    });
    const reserved = new CfnParameter(this, 'ReservedConcurrency', {
      type: 'Number',
      default: 0,
      minValue: 0,
      description: 'Reserved concurrency of the function; 0 for none (unreserved)',
    });

    // Set only by *Update project stack* (handlers/pipeline/update-project-stack.ts), which decrypts
    // the deployment's snapshot: NoEcho, so DescribeStacks and the console show asterisks, and no
    // execution's data ever holds it. Never put it in an output or metadata (NoEcho masks neither).
    const runtimeEnvironment = new CfnParameter(this, RUNTIME_ENV_PARAMETER, {
      type: 'String',
      noEcho: true,
      default: NO_RUNTIME_ENV,
      description: "The deployment's runtime variables as JSON (set by the pipeline; secrets decrypted)",
    });

    const hasDeployment = new CfnCondition(this, 'HasDeployment', {
      expression: Fn.conditionNot(Fn.conditionEquals(deploymentId.valueAsString, 'none')),
    });
    const hasReserved = new CfnCondition(this, 'HasReservedConcurrency', {
      expression: Fn.conditionNot(Fn.conditionEquals(reserved.valueAsString, '0')),
    });

    // The function is named like its stack (handlers/lib/stage.ts projectStackName), which is what the router invokes.
    const functionName = Fn.sub(projectStackName(stage, '${Project}'));
    const logGroup = new logs.CfnLogGroup(this, 'Logs', {
      logGroupName: Fn.sub(`/aws/lambda/${projectStackName(stage, '${Project}')}`),
      retentionInDays: TENANT_LOG_RETENTION_DAYS,
    });

    const role = new iam.CfnRole(this, 'FunctionRole', {
      description: Fn.sub('Slipway tenant ${Project}: write its own logs, nothing else'),
      assumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      },
      policies: [
        {
          policyName: 'logs',
          policyDocument: {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: logGroup.attrArn }],
          },
        },
      ],
      permissionsBoundary: Fn.sub(`arn:\${AWS::Partition}:iam::\${AWS::AccountId}:policy/${tenantBoundaryPolicyName(stage)}`),
    });

    const fn = new lambda.CfnFunction(this, 'Function', {
      functionName,
      description: Fn.sub('Slipway ${Project}: server of deployment ${DeploymentId}'),
      runtime: lambda.Runtime.NODEJS_22_X.name,
      architectures: [lambda.Architecture.ARM_64.name],
      handler: 'server/handler.handler',
      code: { s3Bucket: codeBucket.valueAsString, s3Key: Fn.sub('${Project}/deployments/${DeploymentId}/function.zip') },
      role: role.attrArn,
      memorySize: memory.valueAsNumber,
      timeout: functionTimeout.valueAsNumber,
      reservedConcurrentExecutions: Token.asNumber(Fn.conditionIf(hasReserved.logicalId, reserved.valueAsNumber, Aws.NO_VALUE)),
      loggingConfig: { logGroup: logGroup.ref, logFormat: 'Text' },
      environment: {
        variables: {
          ...platformVariables(project.valueAsString, deploymentId.valueAsString),
          [RUNTIME_ENV_VARIABLE]: runtimeEnvironment.valueAsString,
        },
      },
    });
    fn.cfnOptions.condition = hasDeployment;

    // A Version's properties all require replacement: a new DeploymentId publishes a new version
    // (after the function's code update, which it references). Replaced versions are retained, so
    // the live pointer, a preview's pointer and a rollback keep their version when the next
    // deployment publishes another one; they go with the function when the project is deleted.
    const version = new lambda.CfnVersion(this, 'Version', {
      functionName: fn.ref,
      description: Fn.sub('deployment ${DeploymentId}'),
    });
    version.cfnOptions.condition = hasDeployment;
    version.cfnOptions.updateReplacePolicy = CfnDeletionPolicy.RETAIN;
    version.cfnOptions.deletionPolicy = CfnDeletionPolicy.RETAIN;

    // The version this update published: Release records it as the router's qualifier.
    const deploymentVersion = new CfnOutput(this, DEPLOYMENT_VERSION_OUTPUT, { value: version.attrVersion });
    deploymentVersion.condition = hasDeployment;
  }
}

/**
 * The stack tag naming the per-project template version a stack was created or last updated with:
 * the workflows set it on every create and update, and the rollout compares it with the current one.
 */
export const TEMPLATE_VERSION_TAG = 'slipway:template-version';

/** A template's version: the digest of its JSON, so any change to the template is a new version. */
export function projectTemplateVersion(template: Record<string, unknown>): string {
  return createHash('sha256').update(JSON.stringify(template)).digest('hex').slice(0, 16);
}

/** The per-project template as CloudFormation JSON; `validate`: CDK's built-in CloudFormation validation (default on). */
export function projectStackTemplate(props: ProjectStackProps = {}, options: { validate?: boolean } = {}): Record<string, unknown> {
  const app = new App({
    outdir: mkdtempSync(join(tmpdir(), 'slipway-project-stack-')),
    builtinCloudFormationValidation: options.validate ?? true,
  });
  const stack = new ProjectStack(app, 'SlipwayProject', props);
  return app.synth().getStackArtifact(stack.artifactId).template as Record<string, unknown>;
}
