import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { StateMachine } from 'aws-local-stepfunctions';
import { DEFAULT_NAMES, type PlatformNames } from '../../../handlers/lib/config.js';

/** A CloudFormation resource of the synthesized template, as much of it as the local engine reads. */
export interface TemplateResource {
  Type: string;
  Properties?: Record<string, unknown>;
}

export interface SynthesizedWorkflow {
  /** The state machine's name in the template (e.g. slipway-build-and-deploy). */
  name: string;
  logicalId: string;
  /** The ASL exactly as synthesized, with CloudFormation tokens resolved to local names. */
  definition: Record<string, unknown>;
}

export interface SynthesizedPlatform {
  workflows: Map<string, SynthesizedWorkflow>;
  resources: Record<string, TemplateResource>;
  /** The definitions passed the ASL validator already (when they were cached): the engine need not validate them again. */
  validated?: boolean;
  /** The per-project template's version the workflows create and update stacks with (`slipway up` rolls it out to stacks behind). */
  projectStackTemplateVersion?: string;
}

export const LOCAL_REGION = 'us-east-1';
export const LOCAL_ACCOUNT = '000000000000';

/**
 * What each bucket variable of the platform's Lambdas holds locally (the handler environment):
 * the template leaves the buckets unnamed, so a Ref to one resolves through the variable that
 * carries it (`SLIPWAY_BUILD_BUCKET: {Ref: …}`).
 */
function bucketVariables(names: PlatformNames): Record<string, string> {
  return {
    SLIPWAY_SOURCE_BUCKET: names.sourceBucket,
    SLIPWAY_BUILD_BUCKET: names.buildBucket,
    SLIPWAY_PROJECT_BUCKET: names.projectBucket,
  };
}

function localBucketName(logicalId: string, resources: Record<string, TemplateResource>, names: PlatformNames): string | undefined {
  const locals = bucketVariables(names);
  for (const resource of Object.values(resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const variables = (resource.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
    for (const [name, value] of Object.entries(variables)) {
      if ((value as { Ref?: unknown } | null)?.Ref === logicalId && locals[name]) return locals[name];
    }
  }
  return undefined;
}

/** Local stand-ins for what CloudFormation would resolve at deploy time. */
function resolveToken(token: unknown, resources: Record<string, TemplateResource>, names: PlatformNames): string {
  if (typeof token === 'string') return token;
  if (token && typeof token === 'object') {
    const t = token as Record<string, unknown>;
    if ('Ref' in t) {
      const ref = String(t.Ref);
      if (ref === 'AWS::Partition') return 'aws';
      if (ref === 'AWS::Region') return LOCAL_REGION;
      if (ref === 'AWS::AccountId') return LOCAL_ACCOUNT;
      if (ref === 'AWS::URLSuffix') return 'amazonaws.com';
      const resource = resources[ref];
      const props = resource?.Properties ?? {};
      // A named resource's Ref is its name; otherwise CloudFormation would generate one.
      const name = props.TableName ?? props.BucketName ?? props.FunctionName ?? props.StateMachineName;
      if (typeof name === 'string') return name;
      return resource?.Type === 'AWS::S3::Bucket' ? (localBucketName(ref, resources, names) ?? ref) : ref;
    }
    if ('Fn::GetAtt' in t) {
      const [logicalId, attribute] = t['Fn::GetAtt'] as [string, string];
      const resource = resources[logicalId];
      if (resource?.Type === 'AWS::Lambda::Function' && attribute === 'Arn') {
        return `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${logicalId}`;
      }
      // The session policy that scopes build credentials names the build bucket by its ARN.
      if (resource?.Type === 'AWS::S3::Bucket' && attribute === 'Arn')
        return `arn:aws:s3:::${resolveToken({ Ref: logicalId }, resources, names)}`;
      return `${logicalId}.${attribute}`;
    }
    if ('Fn::Sub' in t) {
      const sub = t['Fn::Sub'];
      const [text, variables] = (Array.isArray(sub) ? sub : [sub, {}]) as [string, Record<string, unknown>];
      return text.replace(/\$\{([^}]+)\}/g, (_, name: string) =>
        name in variables
          ? resolveToken(variables[name], resources, names)
          : name.includes('.')
            ? resolveToken({ 'Fn::GetAtt': name.split('.') }, resources, names)
            : resolveToken({ Ref: name }, resources, names),
      );
    }
    if ('Fn::Join' in t) {
      const [separator, parts] = t['Fn::Join'] as [string, unknown[]];
      return parts.map((part) => resolveToken(part, resources, names)).join(separator);
    }
  }
  throw new Error(`cannot resolve template token ${JSON.stringify(token)}`);
}

/** The Lambda function behind a locally resolved function ARN. */
export function lambdaLogicalId(arn: string): string | undefined {
  return /^arn:aws:lambda:[^:]+:\d+:function:([A-Za-z0-9]+)$/.exec(arn)?.[1];
}

/**
 * Synthesizes the CDK app (the same one `cdk deploy` uses) and returns every state machine's
 * definition. Nothing here knows a state name: the engine runs what CDK produced.
 */
export async function synthesizeWorkflows(names: PlatformNames = DEFAULT_NAMES): Promise<SynthesizedPlatform> {
  // The CDK library takes most of a second to load: only a synthesis pays for it, not a cached start.
  const { buildApp } = await import('../../aws/app.js');
  const outdir = mkdtempSync(join(tmpdir(), 'slipway-synth-'));
  try {
    // Asset staging would copy dist/ into the cloud assembly; the local engine never uploads it.
    // Lambda code is bundled for AWS only: locally the engine imports the handler modules directly.
    // CloudFormation validation of the templates is for a deploy (about 5 of a synthesis's 6 s of CPU); the engine reads only ASL, which it validates itself.
    const { app, pipeline } = buildApp({
      outdir,
      context: { 'aws:cdk:disable-asset-staging': true, 'aws:cdk:bundling-stacks': [] },
      validateTemplates: false,
    });
    const template = app.synth().getStackByName(pipeline.stackName).template as { Resources: Record<string, TemplateResource> };
    const workflows = new Map<string, SynthesizedWorkflow>();
    for (const [logicalId, resource] of Object.entries(template.Resources)) {
      if (resource.Type !== 'AWS::StepFunctions::StateMachine') continue;
      const props = resource.Properties ?? {};
      const name = String(props.StateMachineName ?? logicalId);
      const definition = JSON.parse(resolveToken(props.DefinitionString, template.Resources, names)) as Record<string, unknown>;
      workflows.set(name, { name, logicalId, definition });
    }
    return { workflows, resources: template.Resources, projectStackTemplateVersion: pipeline.projects.projectStackTemplateVersion };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** The repository (or dist/) root: the CDK app is made of the modules under these folders. */
const MODULE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const SYNTH_INPUTS = ['workflows', 'infra', 'handlers', 'router'];

/** Every module the synthesized template can depend on, and the CDK version, in one digest. */
function synthInputsDigest(names: PlatformNames): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify(names));
  const cdkPackage = createRequire(import.meta.url).resolve('aws-cdk-lib/package.json');
  hash.update(readFileSync(cdkPackage));
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(js|ts|json)$/.test(entry.name) && !entry.name.endsWith('.d.ts'))
        hash.update(path.slice(MODULE_ROOT.length)).update(readFileSync(path));
    }
  };
  for (const dir of SYNTH_INPUTS) if (existsSync(join(MODULE_ROOT, dir))) walk(join(MODULE_ROOT, dir));
  return hash.digest('hex').slice(0, 32);
}

/**
 * synthesizeWorkflows() in a worker thread when running compiled (`slipway up`): the CDK library
 * it loads (about 90 MB) goes away with the thread instead of staying in the platform process for
 * as long as it runs. From TypeScript sources (the test runner, which cannot start a thread on a
 * .ts file) it runs in this thread.
 */
async function synthesizeApart(names: PlatformNames): Promise<SynthesizedPlatform> {
  const workerFile = join(dirname(fileURLToPath(import.meta.url)), 'synthesize-worker.js');
  if (!existsSync(workerFile)) return synthesizeWorkflows(names);
  return new Promise((resolve, reject) => {
    // Not the parent's flags (an --eval or --input-type would stop the thread from loading its file).
    const worker = new Worker(workerFile, { workerData: names, execArgv: [] });
    worker.once('message', (platform: SynthesizedPlatform) => resolve(platform));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the synthesis thread exited with code ${code} before answering`)));
  });
}

/**
 * synthesizeWorkflows(), kept in `cacheDir` under a digest of every module the CDK app is made of
 * (and the CDK version): synthesis takes seconds, and a restart of an unchanged platform gets the
 * very same definitions. Any change to a workflow or the stack is a new digest, so a new synthesis.
 */
export async function synthesizeWorkflowsCached(cacheDir: string, names: PlatformNames = DEFAULT_NAMES): Promise<SynthesizedPlatform> {
  const file = join(cacheDir, `synthesized-${synthInputsDigest(names)}.json`);
  if (existsSync(file)) {
    try {
      const cached = JSON.parse(readFileSync(file, 'utf8')) as {
        workflows: SynthesizedWorkflow[];
        resources: Record<string, TemplateResource>;
        projectStackTemplateVersion?: string;
      };
      return {
        workflows: new Map(cached.workflows.map((w) => [w.name, w])),
        resources: cached.resources,
        validated: true,
        ...(cached.projectStackTemplateVersion ? { projectStackTemplateVersion: cached.projectStackTemplateVersion } : {}),
      };
    } catch {
      // A damaged cache file is synthesized again below.
    }
  }
  const platform = await synthesizeApart(names);
  // Only definitions the engine accepts are kept (the validator throws on any other).
  for (const workflow of platform.workflows.values()) {
    new StateMachine(structuredClone(workflow.definition) as never, { validationOptions: { checkArn: false, checkPaths: false } });
  }
  mkdirSync(cacheDir, { recursive: true });
  for (const old of readdirSync(cacheDir)) if (old.startsWith('synthesized-')) rmSync(join(cacheDir, old), { force: true });
  writeFileSync(
    `${file}.tmp`,
    JSON.stringify({
      workflows: [...platform.workflows.values()],
      resources: platform.resources,
      projectStackTemplateVersion: platform.projectStackTemplateVersion,
    }),
  );
  renameSync(`${file}.tmp`, file);
  return { ...platform, validated: true };
}
