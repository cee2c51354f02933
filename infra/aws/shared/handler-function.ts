import { cpSync, existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildSync } from 'esbuild';
import { AssetHashType, DockerImage, Duration, RemovalPolicy, aws_lambda as lambda, aws_logs as logs } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { acknowledge, LAMBDA_NAG } from './nag.js';
import { packageRoot } from '../../package-root.js';
import { stageOf } from './stage.js';

export interface HandlerFunctionProps {
  /** `<module path>.<export>` relative to the package root, e.g. `handlers/pipeline/promote.handler`. */
  handler: string;
  description: string;
  environment?: Record<string, string>;
  memorySize?: number;
  timeout?: Duration;
  /** The bindings the function's handler asks for: its bundle binds their AWS implementations first. */
  binds?: readonly Binding[];
  /** A directory copied into the code beside the handler's module as `as`, which the handler imports at run time (the built dashboard). */
  beside?: Beside;
}

export interface Beside {
  directory: string;
  as: string;
}

/**
 * A binding an AWS Lambda can ask for, each bound by its own module `infra/aws/runtime/bind-<binding>`
 * (the platform's plain settings, `bind-platform-settings`, and the X-Ray tracer are bound in every bundle).
 */
export type Binding =
  | 'clients'
  | 'secret-source'
  | 'route-cache'
  | 'project-stacks'
  | 'custom-domain-certificates'
  | 'custom-domain-certificate-states'
  | 'tracer';

/** A module of this package, as TypeScript source or as built JavaScript (running from dist). */
function sourceModule(modulePath: string): string | undefined {
  return [`${modulePath}.ts`, `${modulePath}.js`].map((file) => join(packageRoot(), file)).find((file) => existsSync(file));
}

/** An entry that imports the AWS bindings, then re-exports the handler module. */
function bindingEntry(source: string, modulePath: string, binds: readonly Binding[]) {
  const imports = ['platform-settings', ...binds].map((binding) => {
    const bindModule = sourceModule(`infra/aws/runtime/bind-${binding}`);
    if (!bindModule) throw new Error(`no source module for the AWS binding infra/aws/runtime/bind-${binding}`);
    return `import ${JSON.stringify(bindModule)};\n`;
  });
  const contents = `${imports.join('')}export * from ${JSON.stringify(source)};\n`;
  return { stdin: { contents, resolveDir: packageRoot(), sourcefile: `${modulePath}.entry.js` } };
}

/**
 * Bundles the module a handler names with esbuild into the same path under `outputDir`, so
 * `Handler` stays the module path the local engine also loads. The bundle's entry binds the
 * platform's settings and the AWS implementation of each binding in `binds` before the handler module.
 */
export function bundleHandler(handler: string, outputDir: string, binds: readonly Binding[], beside?: Beside): void {
  const modulePath = handler.slice(0, handler.lastIndexOf('.'));
  buildSync({
    ...(beside ? { external: [`./${beside.as}/*`] } : {}),
    ...handlerBundleEntry(handler, binds),
    outfile: join(outputDir, `${modulePath}.js`),
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    minify: true,
    sourcemap: 'inline',
    // Everything is bundled, the AWS SDK included: the runtime's copy lacks some clients we use (KeyValueStore, SigV4A) and pinning keeps behaviour identical to the tests.
    banner: { js: "import { createRequire as __slipwayRequire } from 'node:module'; const require = __slipwayRequire(import.meta.url);" },
    logLevel: 'error',
  });
  writeFileSync(join(outputDir, 'package.json'), '{"type":"module"}\n');
  if (beside) cpSync(beside.directory, join(outputDir, dirname(modulePath), beside.as), { recursive: true });
}

/** The esbuild entry of a handler's bundle: its bindings first, then the handler module (the permission tests bundle the same). */
export function handlerBundleEntry(handler: string, binds: readonly Binding[]): ReturnType<typeof bindingEntry> {
  const modulePath = handler.slice(0, handler.lastIndexOf('.'));
  const source = sourceModule(modulePath);
  if (!source) throw new Error(`no source module for handler ${handler}`);
  return bindingEntry(source, modulePath, binds);
}

const bundleBindings = new WeakMap<lambda.IFunction, readonly Binding[]>();

/** The bindings a function made by handlerFunction() binds in its bundle (the tracer included). */
export function handlerBindings(fn: lambda.IFunction): readonly Binding[] | undefined {
  return bundleBindings.get(fn);
}

/** The handler's bundle, made at synth time (no Docker). */
function bundledCode(handler: string, binds: readonly Binding[], beside?: Beside): lambda.Code {
  const source = sourceModule(handler.slice(0, handler.lastIndexOf('.')));
  if (!source) throw new Error(`no source module for handler ${handler}`);
  // Several handlers share a source folder: `extraHash` (a fingerprint option the asset staging
  // honours, though Code.fromAsset's type omits it) keeps their bundles apart in CDK's cache.
  const fingerprint = { extraHash: handler } as Record<string, unknown>;
  return lambda.Code.fromAsset(dirname(source), {
    ...fingerprint,
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Required by the type; never used, because local bundling always succeeds or throws.
      image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:22-slim'),
      local: {
        tryBundle(outputDir: string): boolean {
          bundleHandler(handler, outputDir, binds, beside);
          return true;
        },
      },
    },
  });
}

/**
 * Every Slipway Lambda: Node 22 on arm64, X-Ray tracing, its own log group with retention, and
 * the Powertools service name, so logs and traces of every function read the same way.
 */
export function handlerFunction(scope: Construct, id: string, props: HandlerFunctionProps): lambda.Function {
  const logGroup = new logs.LogGroup(scope, `${id}Logs`, { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
  const fn = new lambda.Function(scope, id, {
    runtime: lambda.Runtime.NODEJS_22_X,
    architecture: lambda.Architecture.ARM_64,
    handler: props.handler,
    // Every function traces with X-Ray: its bundle binds the tracer before anything else.
    code: bundledCode(props.handler, ['tracer', ...(props.binds ?? [])], props.beside),
    description: props.description,
    memorySize: props.memorySize ?? 512,
    timeout: props.timeout ?? Duration.minutes(1),
    tracing: lambda.Tracing.ACTIVE,
    logGroup,
    environment: {
      POWERTOOLS_SERVICE_NAME: 'slipway',
      NODE_OPTIONS: '--enable-source-maps',
      // The names a handler builds (a tenant function, a stack) carry the platform's stage.
      SLIPWAY_STAGE: stageOf(scope),
      ...props.environment,
    },
  });
  bundleBindings.set(fn, ['tracer', ...(props.binds ?? [])]);
  acknowledge(fn, LAMBDA_NAG);
  return fn;
}
