import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILD_CONTEXT_EXCLUDE, BUILD_RUNNER_DOCKERFILE, BuildCompute } from '../../infra/aws/pipeline/build-compute.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ENV = { account: '123456789012', region: 'eu-west-1' };

type Resources = Record<string, { Type: string; Properties?: Record<string, any> }>;

interface Synth {
  outdir: string;
  template: Template;
  resources: Resources;
  stack: Stack;
  compute: BuildCompute;
}

function synth(props: ConstructorParameters<typeof BuildCompute>[2], outdir: string): Synth {
  const app = new App({ outdir });
  const stack = new Stack(app, 'BuildComputeTest', { env: ENV });
  const compute = new BuildCompute(stack, 'Builds', props);
  // If synthesis tried to run Docker it would fail here: building the image is left to `cdk deploy`.
  const saved = process.env.CDK_DOCKER;
  process.env.CDK_DOCKER = join(outdir, 'no-docker-here');
  try {
    const assembly = app.synth();
    const json = assembly.getStackByName(stack.stackName).template as { Resources: Resources };
    return { outdir, template: Template.fromJSON(json), resources: json.Resources, stack, compute };
  } finally {
    if (saved === undefined) delete process.env.CDK_DOCKER;
    else process.env.CDK_DOCKER = saved;
  }
}

function ofType(resources: Resources, type: string): [string, Record<string, any>][] {
  return Object.entries(resources)
    .filter(([, resource]) => resource.Type === type)
    .map(([id, resource]) => [id, resource.Properties ?? {}]);
}

function logicalId(s: Synth, construct: { node: { defaultChild?: unknown } }): string {
  return s.stack.getLogicalId(construct.node.defaultChild as never);
}

function actionsOf(statement: { Action?: string | string[] }): string[] {
  const action = statement.Action ?? [];
  return Array.isArray(action) ? action : [action];
}

describe('BuildCompute', () => {
  let tmp: string;
  let s: Synth;

  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'slipway-build-compute-'));
    s = synth({ buildTimeoutSeconds: 900 }, join(tmp, 'default'));
  });
  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('runs builds on a managed Fargate compute environment of 16 vCPUs in the build VPC', () => {
    const environments = ofType(s.resources, 'AWS::Batch::ComputeEnvironment');
    expect(environments).toHaveLength(1);
    s.template.hasResourceProperties('AWS::Batch::ComputeEnvironment', {
      Type: 'managed',
      State: 'ENABLED',
      ComputeResources: {
        Type: 'FARGATE',
        MaxvCpus: 16,
        SecurityGroupIds: [{ 'Fn::GetAtt': [logicalId(s, s.compute.securityGroup), 'GroupId'] }],
        Subnets: s.compute.vpc.publicSubnets.map((subnet) => ({ Ref: logicalId(s, subnet) })),
      },
    });
  });

  it('names the job queue slipway-builds, fed by that environment', () => {
    s.template.hasResourceProperties('AWS::Batch::JobQueue', {
      JobQueueName: 'slipway-builds',
      State: 'ENABLED',
      ComputeEnvironmentOrder: [
        { Order: 1, ComputeEnvironment: { 'Fn::GetAtt': [logicalId(s, s.compute.computeEnvironments[0]!), 'ComputeEnvironmentArn'] } },
      ],
    });
  });

  it('defines slipway-buildrunner: Fargate, the build timeout plus the runner wrap-up, one attempt, the image asset, public IP, 2 vCPU / 4 GiB / 40 GiB', () => {
    const [[, image]] = Object.entries(assetManifest(s).dockerImages) as [[string, { destinations: Record<string, { imageTag: string }> }]];
    const tag = Object.values(image.destinations)[0]!.imageTag;
    s.template.hasResourceProperties('AWS::Batch::JobDefinition', {
      JobDefinitionName: 'slipway-buildrunner',
      Type: 'container',
      PlatformCapabilities: ['FARGATE'],
      Timeout: { AttemptDurationSeconds: 900 + 120 },
      RetryStrategy: { Attempts: 1 },
      ContainerProperties: {
        Image: { 'Fn::Sub': Match.stringLikeRegexp(`:${tag}$`) },
        ResourceRequirements: Match.arrayWith([
          { Type: 'MEMORY', Value: '4096' },
          { Type: 'VCPU', Value: '2' },
        ]),
        EphemeralStorage: { SizeInGiB: 40 },
        NetworkConfiguration: { AssignPublicIp: 'ENABLED' },
        RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' },
        JobRoleArn: { 'Fn::GetAtt': [logicalId(s, s.compute.jobRole), 'Arn'] },
        ExecutionRoleArn: { 'Fn::GetAtt': [logicalId(s, s.compute.executionRole), 'Arn'] },
        ReadonlyRootFilesystem: false,
        LogConfiguration: {
          LogDriver: 'awslogs',
          Options: Match.objectLike({ 'awslogs-group': { Ref: logicalId(s, s.compute.logGroup) } }),
        },
      },
    });
    // The job's log group keeps its lines for a bounded time.
    s.template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    expect(s.resources[logicalId(s, s.compute.logGroup)]!.Properties!.RetentionInDays).toBe(30);
  });

  it('gives the build security group no inbound rule and only HTTPS out', () => {
    const groups = ofType(s.resources, 'AWS::EC2::SecurityGroup');
    expect(groups).toHaveLength(1);
    const [, group] = groups[0]!;
    expect(group.SecurityGroupIngress ?? []).toEqual([]);
    expect(group.SecurityGroupEgress).toEqual([
      expect.objectContaining({ CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 443, ToPort: 443 }),
    ]);
    expect(ofType(s.resources, 'AWS::EC2::SecurityGroupIngress')).toEqual([]);
    expect(ofType(s.resources, 'AWS::EC2::SecurityGroupEgress')).toEqual([]);
  });

  it('builds in a VPC of public subnets with no NAT gateway, flow logs on, and no path to the platform', () => {
    const vpcId = logicalId(s, s.compute.vpc);
    expect(ofType(s.resources, 'AWS::EC2::VPC')).toHaveLength(1);
    expect(ofType(s.resources, 'AWS::EC2::NatGateway')).toEqual([]);
    expect(ofType(s.resources, 'AWS::EC2::EIP')).toEqual([]);
    const subnets = ofType(s.resources, 'AWS::EC2::Subnet');
    expect(subnets).toHaveLength(2);
    expect(new Set(subnets.map(([, subnet]) => JSON.stringify(subnet.AvailabilityZone))).size).toBe(2);
    for (const [, subnet] of subnets) expect(subnet.MapPublicIpOnLaunch).toBe(true);
    s.template.hasResourceProperties('AWS::EC2::FlowLog', {
      ResourceId: { Ref: vpcId },
      ResourceType: 'VPC',
      TrafficType: 'ALL',
      LogDestinationType: 'cloud-watch-logs',
    });
    // Nothing that would let a build reach the platform's private side.
    for (const type of [
      'AWS::EC2::VPCEndpoint',
      'AWS::EC2::VPCPeeringConnection',
      'AWS::EC2::TransitGatewayAttachment',
      'AWS::EC2::TransitGatewayVpcAttachment',
      'AWS::EC2::VPNGateway',
      'AWS::Lambda::Function',
    ]) {
      expect(ofType(s.resources, type), type).toEqual([]);
    }
  });

  it('gives the job role no policy at all', () => {
    const jobRoleId = logicalId(s, s.compute.jobRole);
    const role = s.resources[jobRoleId]!.Properties!;
    expect(role.Policies).toBeUndefined();
    expect(role.ManagedPolicyArns).toBeUndefined();
    const attachedToJobRole = [...ofType(s.resources, 'AWS::IAM::Policy'), ...ofType(s.resources, 'AWS::IAM::ManagedPolicy')].filter(
      ([, policy]) => JSON.stringify(policy.Roles ?? []).includes(`"${jobRoleId}"`),
    );
    expect(attachedToJobRole).toEqual([]);
    // Its trust is ECS tasks of this account only.
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { Service: 'ecs-tasks.amazonaws.com' },
        Condition: { StringEquals: { 'aws:SourceAccount': ENV.account } },
      },
    ]);
  });

  it('grants nothing in the stack on S3, DynamoDB, Secrets Manager or Step Functions', () => {
    const forbidden = /^(\*|s3:|dynamodb:|secretsmanager:|states:|kms:|sts:|iam:)/;
    for (const [id, policy] of ofType(s.resources, 'AWS::IAM::Policy')) {
      for (const statement of policy.PolicyDocument.Statement as { Action?: string | string[] }[]) {
        for (const action of actionsOf(statement)) expect(action, `${id}: ${action}`).not.toMatch(forbidden);
      }
    }
  });

  it('lets the execution role only pull the image and write the job log', () => {
    const executionRoleId = logicalId(s, s.compute.executionRole);
    const policies = ofType(s.resources, 'AWS::IAM::Policy').filter(([, policy]) =>
      JSON.stringify(policy.Roles).includes(`"${executionRoleId}"`),
    );
    expect(policies).toHaveLength(1);
    const statements = policies[0]![1].PolicyDocument.Statement as { Action?: string | string[]; Resource: unknown }[];
    const actions = statements.flatMap(actionsOf).sort();
    expect(actions).toEqual(
      [
        'ecr:BatchCheckLayerAvailability',
        'ecr:BatchGetImage',
        'ecr:GetAuthorizationToken',
        'ecr:GetDownloadUrlForLayer',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
      ].sort(),
    );
    const logs = statements.find((statement) => actionsOf(statement).includes('logs:PutLogEvents'))!;
    expect(logs.Resource).toEqual({ 'Fn::GetAtt': [logicalId(s, s.compute.logGroup), 'Arn'] });
    // Only the token call is unscoped (ECR's GetAuthorizationToken has no resource).
    for (const statement of statements) {
      if (statement.Resource === '*') expect(actionsOf(statement)).toEqual(['ecr:GetAuthorizationToken']);
    }
  });

  it('synthesizes without Docker: the image is a staged build context, built at deploy', () => {
    const images = Object.values(assetManifest(s).dockerImages) as {
      source: { directory: string; dockerFile: string; platform: string };
    }[];
    expect(images).toHaveLength(1);
    const { source } = images[0]!;
    expect(source.dockerFile).toBe(BUILD_RUNNER_DOCKERFILE);
    expect(source.platform).toBe('linux/arm64');
    expect(source.directory).toMatch(/^asset\.[0-9a-f]{64}$/);
    const staged = join(s.outdir, source.directory);
    for (const file of [
      BUILD_RUNNER_DOCKERFILE,
      'package.json',
      'package-lock.json',
      'tsconfig.json',
      'tsconfig.build.json',
      'buildrunner/main.ts',
      'handlers/lib/clients.ts',
    ]) {
      expect(existsSync(join(staged, file)), file).toBe(true);
    }
    for (const path of [
      'node_modules',
      'dist',
      '.slipway',
      'examples',
      '.git',
      'cdk.out',
      'test',
      'infra',
      'dashboard',
      'buildrunner/node_modules',
    ]) {
      expect(existsSync(join(staged, path)), path).toBe(false);
    }
    const files = listFiles(staged);
    expect(files.filter((file) => file.endsWith('.test.ts'))).toEqual([]);
    expect(files.length).toBeLessThan(200);
  });

  it('adds a Fargate Spot environment ahead of the on-demand one when asked, and takes the sizes it is given', () => {
    const spot = synth(
      { buildTimeoutSeconds: 1800, maxvCpus: 32, spot: true, cpu: 4, memoryMiB: 8192, ephemeralStorageGiB: 60, cpuArchitecture: 'X86_64' },
      join(tmp, 'spot'),
    );
    const [first, second] = spot.compute.computeEnvironments;
    spot.template.hasResourceProperties('AWS::Batch::ComputeEnvironment', { ComputeResources: { Type: 'FARGATE_SPOT', MaxvCpus: 32 } });
    spot.template.hasResourceProperties('AWS::Batch::ComputeEnvironment', { ComputeResources: { Type: 'FARGATE', MaxvCpus: 32 } });
    spot.template.hasResourceProperties('AWS::Batch::JobQueue', {
      ComputeEnvironmentOrder: [
        { Order: 1, ComputeEnvironment: { 'Fn::GetAtt': [logicalId(spot, first!), 'ComputeEnvironmentArn'] } },
        { Order: 2, ComputeEnvironment: { 'Fn::GetAtt': [logicalId(spot, second!), 'ComputeEnvironmentArn'] } },
      ],
    });
    expect(spot.resources[logicalId(spot, first!)]!.Properties!.ComputeResources.Type).toBe('FARGATE_SPOT');
    spot.template.hasResourceProperties('AWS::Batch::JobDefinition', {
      Timeout: { AttemptDurationSeconds: 1800 + 120 },
      ContainerProperties: Match.objectLike({
        ResourceRequirements: Match.arrayWith([
          { Type: 'MEMORY', Value: '8192' },
          { Type: 'VCPU', Value: '4' },
        ]),
        EphemeralStorage: { SizeInGiB: 60 },
        RuntimePlatform: { CpuArchitecture: 'X86_64', OperatingSystemFamily: 'LINUX' },
      }),
    });
    const images = Object.values(assetManifest(spot).dockerImages) as { source: { platform: string } }[];
    expect(images[0]!.source.platform).toBe('linux/amd64');
  });

  it('refuses a timeout under the Batch minimum or over what the build credentials cover, and task storage Fargate cannot give', () => {
    const stack = () => new Stack(new App(), 'Bad');
    expect(() => new BuildCompute(stack(), 'B', { buildTimeoutSeconds: 30 })).toThrow(/at least 60/);
    expect(() => new BuildCompute(stack(), 'B', { buildTimeoutSeconds: 2701 })).toThrow(/"field":"buildTimeoutSeconds".*at most 2700/);
    expect(() => new BuildCompute(stack(), 'B', { buildTimeoutSeconds: 900, ephemeralStorageGiB: 10 })).toThrow(/21 to 200/);
  });
});

describe('the build runner image', () => {
  const dockerfile = readFileSync(join(ROOT, BUILD_RUNNER_DOCKERFILE), 'utf8');
  const instructions = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));

  it('keeps the root .dockerignore equal to the asset exclude list', () => {
    const lines = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    expect(lines).toEqual([...BUILD_CONTEXT_EXCLUDE]);
  });

  it("runs the app's install and build as an unprivileged user in /workspace, from node:22-slim", () => {
    const froms = instructions.filter((line) => line.startsWith('FROM '));
    expect(froms.length).toBeGreaterThanOrEqual(1);
    for (const from of froms) expect(from).toMatch(/^FROM node:22-slim\b/);
    const final = instructions.slice(instructions.lastIndexOf(froms.at(-1)!));
    // The runner is root so that the user's scripts, run as uid 10001, cannot read its environment.
    expect(final.join('\n')).toMatch(/useradd --uid 10001\b/);
    expect(final.join('\n')).toMatch(/SLIPWAY_BUILD_UID=10001/);
    expect(final.join('\n')).toMatch(/SLIPWAY_BUILD_GID=10001/);
    expect(final).toContain('WORKDIR /workspace');
    expect(final.join('\n')).toMatch(/ENV SLIPWAY_WORKSPACE=\/workspace\b/);
    expect(final.join('\n')).toMatch(/chown slipway:slipway \/workspace/);
    expect(final.at(-1)).toBe('CMD ["node", "/app/dist/buildrunner/main.js"]');
    expect(final.join('\n')).toMatch(/apt-get install [^\n]*\bgit\b/);
    expect(final.join('\n')).toMatch(/corepack enable/);
    // The runner's files are root's; the user's build must not be able to change them.
    expect(final.filter((line) => line.startsWith('COPY ')).every((line) => !line.includes('--chown'))).toBe(true);
  });

  it('copies only what the build context lets in', () => {
    const staged = new Set(['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'buildrunner', 'handlers/lib']);
    const copies = instructions.filter((line) => line.startsWith('COPY ') && !line.includes('--from='));
    expect(copies.length).toBeGreaterThan(0);
    for (const copy of copies) {
      const sources = copy.split(/\s+/).slice(1, -1);
      for (const source of sources) {
        expect(staged.has(source), source).toBe(true);
        expect(existsSync(join(ROOT, source)), source).toBe(true);
      }
    }
  });

  it('needs nothing of the repository outside the build context, and no package the image drops', () => {
    // Every module the runner and the adapter load, following relative imports from buildrunner/.
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const start = listFiles(join(ROOT, 'buildrunner'))
      .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
      .map((file) => `buildrunner/${file}`);
    const seen = new Set<string>();
    const bare = new Set<string>();
    const queue = [...start];
    while (queue.length) {
      const file = queue.pop()!;
      if (seen.has(file)) continue;
      seen.add(file);
      const source = readFileSync(join(ROOT, file), 'utf8');
      for (const specifier of runtimeImports(source)) {
        if (specifier.startsWith('.')) {
          const target = posix.normalize(posix.join(posix.dirname(file), specifier)).replace(/\.js$/, '.ts');
          expect(existsSync(join(ROOT, target)), `${file} → ${specifier}`).toBe(true);
          queue.push(target);
        } else if (!specifier.startsWith('node:')) {
          bare.add(specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!);
        }
      }
    }
    for (const file of seen) {
      expect(file.startsWith('buildrunner/') || file.startsWith('handlers/lib/'), file).toBe(true);
    }
    for (const name of bare) {
      expect(pkg.dependencies[name], `${name} must be a runtime dependency`).toBeDefined();
      expect(name === 'aws-cdk-lib' || name.startsWith('@aws-cdk/'), `${name} is removed from the image`).toBe(false);
    }
    expect(bare.has('esbuild')).toBe(true);
  });
});

/** Module specifiers a compiled file still loads at run time (type-only imports are erased). */
function runtimeImports(source: string): string[] {
  const specifiers: string[] = [];
  const statement = /^\s*(import|export)\s+(type\s+)?([^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;
  for (const match of source.matchAll(statement)) {
    if (match[2]) continue;
    // `import { type A, type B } from` is erased too.
    const clause = match[3] ?? '';
    const names = /\{([^}]*)\}/.exec(clause)?.[1];
    if (names && !/^[^,{]*\w[^,{]*,/.test(clause) && names.split(',').every((name) => !name.trim() || name.trim().startsWith('type ')))
      continue;
    specifiers.push(match[4]!);
  }
  for (const match of source.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) specifiers.push(match[1]!);
  return specifiers;
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(relative(dir, join(entry.parentPath, entry.name)).split('\\').join('/'));
  }
  return out;
}

function assetManifest(s: Synth): { dockerImages: Record<string, unknown> } {
  return JSON.parse(readFileSync(join(s.outdir, `${s.stack.artifactId}.assets.json`), 'utf8'));
}
