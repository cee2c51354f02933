import { Stack, type StackProps, aws_certificatemanager as acm, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { PlatformStorage } from './storage/platform-storage.js';
import { BuildCompute } from './pipeline/build-compute.js';
import { PipelineSystem } from './pipeline/pipeline-system.js';
import { ProjectSystem } from './projects/project-system.js';
import { InternalSystem } from './internal/internal-system.js';
import { STAGE_CONTEXT_KEY } from './shared/stage.js';
import { DEFAULT_BUILD_TIMEOUT_SECONDS } from './shared/timeouts.js';
import { DEFAULT_STAGE } from '../../handlers/lib/stage.js';
import { addPlatformOutputs } from './platform-outputs.js';

export interface SlipwayStackProps extends StackProps {
  /** The stage every physical name carries (handlers/lib/stage.ts); default `prod`, whose names are those from before stages. */
  stage?: string;
  /** Tenants answer at `NAME.<domainName>`; without it, at the distribution's own domain. */
  domainName?: string;
  /** ACM certificate (us-east-1) for `*.<domainName>` and the dashboard domain. */
  certificateArn?: string;
  /** The dashboard's (and API's) host name; needs the certificate to cover it. */
  dashboardDomainName?: string;
  buildTimeoutSeconds?: number;
  /** The GitHub App's JSON secret (appId, privateKey, webhookSecret), created outside the stack. */
  githubSecretArn?: string;
  /** CDK's CloudFormation validation of the per-project template when it is synthesized (default on). */
  validateProjectTemplate?: boolean;
  /** Which X-Forwarded-For hop tenants see as the visitor (router/client-address.ts); default 1, the address CloudFront saw. */
  clientAddressDepth?: number;
  /** How many projects the route cache is shared among (Platform.routeCacheProjects); default 200. */
  routeCacheProjects?: number;
  /** The origin secret's version to use (a rotation: docs/DEPLOY-AWS.md); unset, its current one. */
  originSecretVersion?: string;
}

/**
 * The whole platform in one stack: storage, the project system (CloudFront, route cache,
 * router), the pipeline system (Batch builds, pipeline Lambdas, state machines) and the internal
 * system (API, dashboard). One stack keeps every reference inside one template, which is also
 * what the local back end reads the state machines from.
 */
export class SlipwayStack extends Stack {
  readonly storage: PlatformStorage;
  readonly projects: ProjectSystem;
  readonly build: BuildCompute;
  readonly pipeline: PipelineSystem;
  readonly internal: InternalSystem;

  get workflows(): PipelineSystem['workflows'] {
    return this.pipeline.workflows;
  }

  constructor(scope: Construct, id: string, props: SlipwayStackProps = {}) {
    super(scope, id, props);
    // Before any child exists: every construct inside reads its stage from here (stageOf).
    this.node.setContext(STAGE_CONTEXT_KEY, props.stage ?? DEFAULT_STAGE);
    const buildTimeoutSeconds = props.buildTimeoutSeconds ?? DEFAULT_BUILD_TIMEOUT_SECONDS;
    this.storage = new PlatformStorage(this, 'Storage');
    // The GitHub App's JSON secret (appId, privateKey, webhookSecret, oauthClientId, oauthClientSecret), created by the operator.
    const githubSecret = props.githubSecretArn
      ? secretsmanager.Secret.fromSecretCompleteArn(this, 'GithubAppSecret', props.githubSecretArn)
      : undefined;
    this.projects = new ProjectSystem(this, 'Projects', {
      storage: this.storage,
      domainName: props.domainName,
      certificateArn: props.certificateArn,
      // Origin secret rather than OAC: with OAC, Lambda function URLs require browsers to sign
      // request bodies (x-amz-content-sha256), which would break every form post to a tenant.
      routerAccess: 'secret',
      validateProjectTemplate: props.validateProjectTemplate,
      ...(props.clientAddressDepth ? { clientAddressDepth: props.clientAddressDepth } : {}),
      ...(props.originSecretVersion ? { originSecretVersion: props.originSecretVersion } : {}),
    });
    this.build = new BuildCompute(this, 'Builds', { buildTimeoutSeconds });
    this.pipeline = new PipelineSystem(this, 'Pipeline', {
      storage: this.storage,
      build: { jobQueue: this.build.jobQueue, jobDefinition: this.build.jobDefinition },
      projects: {
        projectStackTemplateUrl: this.projects.projectStackTemplateUrl,
        projectStackTemplateVersion: this.projects.projectStackTemplateVersion,
        tenantStackRoleArn: this.projects.tenantStackRole.role.roleArn,
        routeCacheArn: this.projects.routeCache.keyValueStoreArn,
        grantRouteCacheWrite: (grantee) => this.projects.grantRouteCacheWrite(grantee),
        customDomains: this.projects.customDomains,
      },
      buildTimeoutSeconds,
      ...(props.routeCacheProjects ? { routeCacheProjects: props.routeCacheProjects } : {}),
      ...(githubSecret ? { github: { secret: githubSecret } } : {}),
      ...(props.domainName ? { tenantUrlTemplate: `https://{project}.${props.domainName}/` } : {}),
    });
    const workflows = this.pipeline.workflows;
    // The state machines call CloudFormation and pass it the tenant-stack service role; CloudFormation
    // manages the tenant's resources with that role's rights, not theirs.
    for (const workflow of [
      workflows.initProject,
      workflows.buildAndDeploy,
      workflows.deleteProject,
      workflows.rollback,
      workflows.templateRollout,
    ]) {
      this.projects.grantProjectStackDeploy(workflow.stateMachine);
    }
    // The deploy and rollback workflows' stack update is this function's call (it holds the runtime variables).
    this.projects.grantProjectStackDeploy(this.pipeline.functions.updateProjectStack);
    this.internal = new InternalSystem(this, 'Internal', {
      storage: this.storage,
      stateMachineArns: {
        initProject: workflows.initProject.stateMachine.stateMachineArn,
        buildAndDeploy: workflows.buildAndDeploy.stateMachine.stateMachineArn,
        deleteProject: workflows.deleteProject.stateMachine.stateMachineArn,
        rollback: workflows.rollback.stateMachine.stateMachineArn,
        templateRollout: workflows.templateRollout.stateMachine.stateMachineArn,
      },
      domainName: props.dashboardDomainName,
      originSecret: this.projects.originSecretValue,
      customDomains: this.projects.customDomains,
      ...(githubSecret ? { githubSecret } : {}),
      certificate:
        props.dashboardDomainName && props.certificateArn
          ? acm.Certificate.fromCertificateArn(this, 'DashboardCertificate', props.certificateArn)
          : undefined,
    });
    if (props.domainName) this.internal.apiFunction.addEnvironment('SLIPWAY_TENANT_URL_TEMPLATE', `https://{project}.${props.domainName}/`);
    addPlatformOutputs(this, {
      dashboardDomainName: props.dashboardDomainName,
      dashboardDistribution: this.internal.dashboardDistribution,
      tenantDistribution: this.projects.distribution,
      customDomainConnectionGroup: this.projects.customDomains.connectionGroup,
      adminTokenSecret: this.internal.adminTokenSecret,
      originSecret: this.projects.originSecret,
    });
  }
}
