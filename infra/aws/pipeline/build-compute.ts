import {
  Duration,
  IgnoreMode,
  RemovalPolicy,
  Size,
  Stack,
  aws_batch as batch,
  aws_ec2 as ec2,
  aws_ecr_assets as ecrAssets,
  aws_ecs as ecs,
  aws_iam as iam,
  aws_logs as logs,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { acknowledge } from '../shared/nag.js';
import { packageRoot } from '../../package-root.js';
import { stageName } from '../../../handlers/lib/stage.js';
import { stageOf } from '../shared/stage.js';
import { buildJobTimeoutSeconds, checkBuildTimeoutSeconds } from '../shared/timeouts.js';

/** The Dockerfile of the build job, relative to the package root (the Docker build context). */
export const BUILD_RUNNER_DOCKERFILE = 'buildrunner/Dockerfile';

/**
 * What of the repository goes into the image's build context (Docker ignore syntax): an allow-list
 * of exactly what the Dockerfile compiles — the runner, the adapter and the one platform module the
 * runner imports (handlers/lib) — and nothing else: no node_modules, dist/, .slipway/, examples/,
 * cdk.out/ or .git. It also keeps the asset hash, and so the image, unchanged when unrelated parts
 * of the platform change. The root `.dockerignore` holds the same lines for a build by hand
 * (`docker build -f buildrunner/Dockerfile .`); a test keeps the two equal.
 */
export const BUILD_CONTEXT_EXCLUDE: readonly string[] = [
  '*',
  '!package.json',
  '!package-lock.json',
  '!tsconfig.json',
  '!tsconfig.build.json',
  '!buildrunner',
  '!handlers/lib',
  '**/node_modules',
  '**/*.test.ts',
  '**/.DS_Store',
];

export interface BuildComputeProps {
  /** Upper bound for one build (60 to LIMIT_BOUNDS.buildTimeoutSeconds.max); Batch stops the job after it and the runner's wrap-up. */
  buildTimeoutSeconds: number;
  /** Upper bound of concurrent build vCPUs over the whole queue (default 16, i.e. 8 builds of 2 vCPU). */
  maxvCpus?: number;
  /** vCPUs per build (default 2). Must be a Fargate size together with `memoryMiB`. */
  cpu?: number;
  /** Memory per build in MiB (default 4096). */
  memoryMiB?: number;
  /** Task storage per build in GiB, 21–200 (default 40): the source, node_modules, caches and output. */
  ephemeralStorageGiB?: number;
  /**
   * CPU architecture of the build (default ARM64, like every platform and tenant Lambda, so native
   * packages an app installs are built for the architecture its server runs on). The image is built
   * for the same platform at `cdk deploy`.
   */
  cpuArchitecture?: 'ARM64' | 'X86_64';
  /**
   * Also run builds on Fargate Spot (default false): a FARGATE_SPOT compute environment is placed
   * ahead of the on-demand one. A reclaimed Spot task fails its build (jobs are not retried).
   */
  spot?: boolean;
  /** Retention of the build job's container logs (default one month). */
  logRetention?: logs.RetentionDays;
}

/**
 * Where builds run: AWS Batch on Fargate in a VPC of their own, the job queue `slipway-builds` and
 * the job definition `slipway-buildrunner` (the container of `buildrunner/Dockerfile`).
 *
 * Isolation: the user's build is untrusted code. Its VPC holds nothing of the platform — no
 * Lambda, database, bucket endpoint or other service lives in it, and there are no VPC endpoints,
 * peering or transit attachments to anything of the platform — so a build reaches exactly what any
 * host on the internet reaches. It has public subnets only and no NAT gateway (each task gets a
 * public IP, which costs nothing like the hourly NAT gateways); its security group admits nothing
 * inbound and lets out only HTTPS (package registries, git over HTTPS, the image pull, S3 and
 * CloudWatch Logs). DNS goes to the VPC resolver, which security groups do not filter.
 *
 * Credentials: the job role holds no permission at all. The pipeline passes the job short-lived
 * credentials scoped to its own build prefix as container environment, so even a build that reads
 * its runner's environment can write only `builds/{its id}/`. The execution role (used by ECS, never
 * visible to the container) only pulls the image and writes the job's log stream.
 */
export class BuildCompute extends Construct {
  readonly vpc: ec2.Vpc;
  readonly securityGroup: ec2.SecurityGroup;
  /** The on-demand Fargate environment, and the Spot one ahead of it when `spot` is set. */
  readonly computeEnvironments: batch.FargateComputeEnvironment[];
  readonly jobQueue: batch.JobQueue;
  readonly jobDefinition: batch.EcsJobDefinition;
  /** The role the build container runs with: no policies. */
  readonly jobRole: iam.Role;
  /** The role ECS starts the task with: image pull and log writes only. */
  readonly executionRole: iam.Role;
  readonly logGroup: logs.LogGroup;
  readonly image: ecs.AssetImage;

  constructor(scope: Construct, id: string, props: BuildComputeProps) {
    super(scope, id);
    const timeout = checkBuildTimeoutSeconds(props.buildTimeoutSeconds);
    const storage = props.ephemeralStorageGiB ?? 40;
    if (!Number.isInteger(storage) || storage < 21 || storage > 200) {
      throw new Error(`ephemeralStorageGiB must be an integer from 21 to 200 (Fargate), got ${storage}`);
    }
    const arm = (props.cpuArchitecture ?? 'ARM64') === 'ARM64';
    const stack = Stack.of(this);

    // --- Network: builds only ------------------------------------------------------------------
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'Builds', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 }],
      // Nothing is ever placed in the default security group (tasks use the one below); closing it
      // would add a custom-resource Lambda to the stack for no gain.
      restrictDefaultSecurityGroup: false,
    });
    const flowLogs = new logs.LogGroup(this, 'FlowLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // Every accepted and rejected flow: where a build connected to, for an operator's audit.
    this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs),
      trafficType: ec2.FlowLogTrafficType.ALL,
    });
    this.securityGroup = new ec2.SecurityGroup(this, 'BuildSecurityGroup', {
      vpc: this.vpc,
      description: 'Slipway build jobs: nothing inbound, HTTPS out only',
      allowAllOutbound: false,
    });
    this.securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS: package registries, git, image pull, S3, logs');

    // --- Compute ---------------------------------------------------------------------------------
    const maxvCpus = props.maxvCpus ?? 16;
    const environment = (envId: string, spot: boolean) =>
      new batch.FargateComputeEnvironment(this, envId, {
        vpc: this.vpc,
        vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
        securityGroups: [this.securityGroup],
        maxvCpus,
        spot,
        // A running build finishes on the old environment when its settings change.
        replaceComputeEnvironment: false,
      });
    const onDemand = environment('FargateEnvironment', false);
    this.computeEnvironments = props.spot ? [environment('FargateSpotEnvironment', true), onDemand] : [onDemand];
    this.jobQueue = new batch.JobQueue(this, 'JobQueue', {
      jobQueueName: stageName(stageOf(this), 'builds'),
      priority: 1,
      computeEnvironments: this.computeEnvironments.map((computeEnvironment, index) => ({ computeEnvironment, order: index + 1 })),
    });

    // --- Job -------------------------------------------------------------------------------------
    this.jobRole = new iam.Role(this, 'JobRole', {
      description: 'Slipway build job: no permissions; the pipeline passes credentials scoped to the build prefix',
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    });
    this.executionRole = new iam.Role(this, 'ExecutionRole', {
      description: 'Slipway build job execution: pull the build runner image, write the job log',
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
    });
    acknowledge(this.executionRole, {
      'AwsSolutions-IAM5[Resource::*]':
        'ecr:GetAuthorizationToken has no resource-level permissions; the image pull itself is scoped to the build image repository.',
    });
    this.logGroup = new logs.LogGroup(this, 'JobLogs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    // The context is the package root because the image compiles the runner from the sources (see
    // the Dockerfile); synthesis only stages the allowed files, Docker runs at `cdk deploy`.
    this.image = ecs.ContainerImage.fromAsset(packageRoot(), {
      file: BUILD_RUNNER_DOCKERFILE,
      exclude: [...BUILD_CONTEXT_EXCLUDE],
      ignoreMode: IgnoreMode.DOCKER,
      platform: arm ? ecrAssets.Platform.LINUX_ARM64 : ecrAssets.Platform.LINUX_AMD64,
      displayName: 'slipway-buildrunner',
    });

    const container = new batch.EcsFargateContainerDefinition(this, 'Container', {
      image: this.image,
      cpu: props.cpu ?? 2,
      memory: Size.mebibytes(props.memoryMiB ?? 4096),
      ephemeralStorageSize: Size.gibibytes(storage),
      fargateCpuArchitecture: arm ? ecs.CpuArchitecture.ARM64 : ecs.CpuArchitecture.X86_64,
      fargateOperatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      fargatePlatformVersion: ecs.FargatePlatformVersion.LATEST,
      // No NAT gateway: the task needs a public IP to pull its image and reach the registries.
      assignPublicIp: true,
      jobRole: this.jobRole,
      executionRole: this.executionRole,
      logging: ecs.LogDrivers.awsLogs({ logGroup: this.logGroup, streamPrefix: 'build' }),
      // The root filesystem stays writable: npm, pnpm, yarn and corepack write their caches under
      // HOME, and install scripts and app builds write wherever they please (/tmp, HOME, the
      // package's own folder). The image runs as an unprivileged user who owns only /workspace and
      // its HOME; the runner's own files under /app belong to root and are read-only to the build.
      readonlyRootFilesystem: false,
    });

    this.jobDefinition = new batch.EcsJobDefinition(this, 'JobDefinition', {
      jobDefinitionName: stageName(stageOf(this), 'buildrunner'),
      container,
      // The runner stops a build at the subscription's limit (at most this cap) and still uploads its
      // log; Batch ends the attempt only after that wrap-up. The build step sets no attempt duration
      // of its own, so this is the one that applies.
      timeout: Duration.seconds(buildJobTimeoutSeconds(timeout)),
      // One attempt: a failing user build is not run again (the pipeline retries only Batch API errors).
      retryAttempts: 1,
      propagateTags: true,
    });
  }
}
