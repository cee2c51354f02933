import { buildSync } from 'esbuild';
import { type aws_iam as iam, aws_lambda as lambda } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../infra/aws/app.js';
import { SDK_COMMAND_ACTIONS, type SdkCommandPermissions } from '../../../infra/aws/permissions/sdk-call-permissions.js';
import { handlerBindings, handlerBundleEntry } from '../../../infra/aws/shared/handler-function.js';
import { type ResolvedStatement, type TemplateResource, allows, roleStatements } from '../support/iam-policy.js';

/**
 * Every AWS call a platform Lambda can make has its permission: each function's handler is bundled
 * as its Lambda bundle is (its bindings first), with the packages left out and unused code shaken
 * off, the SDK commands its code constructs are collected, and its role must allow each command's
 * actions (SDK_COMMAND_ACTIONS). Resource scopes are the per-system template tests' concern; this
 * catches the AccessDenied of a call whose action no statement grants at all.
 */
const table = SDK_COMMAND_ACTIONS as Record<string, SdkCommandPermissions>;

interface PlatformFunction {
  id: string;
  handler: string;
  commands: string[];
  role: ResolvedStatement[];
}
let functions: PlatformFunction[];

/** The SDK commands a bundle can send: every `new …Command(` left after tree shaking. */
function commandsOf(handler: string, binds: readonly string[]): string[] {
  const result = buildSync({
    ...handlerBundleEntry(handler, binds as Parameters<typeof handlerBundleEntry>[1]),
    bundle: true,
    write: false,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    treeShaking: true,
    logLevel: 'silent',
  });
  const code = result.outputFiles.map((file) => file.text).join('\n');
  // esbuild may suffix a renamed import (GetCommand2); the command is the name without it.
  return [...new Set([...code.matchAll(/new (\w+?Command)\d*\(/g)].map((match) => match[1] as string))].sort();
}

beforeAll(() => {
  const { app, pipeline } = buildApp({ context: { 'aws:cdk:bundling-stacks': [] }, validateTemplates: false });
  const resources = (app.synth().getStackArtifact(pipeline.artifactId).template as { Resources: Record<string, TemplateResource> })
    .Resources;
  functions = pipeline.node
    .findAll()
    .filter((c): c is lambda.Function => c instanceof lambda.Function && handlerBindings(c) !== undefined)
    .map((fn) => {
      const handler = (fn.node.defaultChild as lambda.CfnFunction).handler as string;
      const roleId = pipeline.getLogicalId((fn.role as iam.Role).node.defaultChild as iam.CfnRole);
      return {
        id: fn.node.path,
        handler,
        commands: commandsOf(handler, handlerBindings(fn) ?? []),
        role: roleStatements(resources, roleId),
      };
    });
}, 180_000);

describe('AWS SDK calls of the platform Lambdas against their roles', () => {
  it('finds the functions and the calls they make (the scan is not blind)', () => {
    expect(functions.length).toBeGreaterThanOrEqual(12);
    const api = functions.find((fn) => fn.handler === 'handlers/api/lambda.handler');
    expect(api?.commands).toEqual(expect.arrayContaining(['StartExecutionCommand', 'StopExecutionCommand', 'GetSecretValueCommand']));
    // The API shows certificate states: it reads them and sends no call that changes a tenant.
    expect(api?.commands).toContain('GetManagedCertificateDetailsCommand');
    expect(api?.commands.filter((command) => /DistributionTenant/.test(command))).toEqual([]);
    const release = functions.find((fn) => fn.handler === 'handlers/pipeline/release.handler');
    expect(release?.commands).toEqual(expect.arrayContaining(['UpdateKeysCommand']));
    // The log stream's app carries its two stream routes and no audit log: reads only.
    const logStream = functions.find((fn) => fn.handler === 'handlers/api/log-stream-lambda.handler');
    expect(logStream?.commands).toEqual([
      'DescribeExecutionCommand',
      'DescribeStateMachineCommand',
      'GetCommand',
      'GetExecutionHistoryCommand',
      'GetObjectCommand',
      'GetSecretValueCommand',
      'ListObjectsV2Command',
    ]);
    // The stack update with the runtime variables is a Lambda's call (its bundle binds CloudFormation).
    const update = functions.find((fn) => fn.handler === 'handlers/pipeline/update-project-stack.handler');
    expect(update?.commands).toEqual(expect.arrayContaining(['UpdateStackCommand', 'GetCommand']));
    // A function that calls nothing has an empty list, not everything: tree shaking works.
    const summarise = functions.find((fn) => fn.handler === 'handlers/pipeline/summarise-failure.handler');
    expect(summarise?.commands).toEqual([]);
  });

  it('knows the IAM actions of every command any function sends', () => {
    const unknown = functions.flatMap((fn) =>
      fn.commands.filter((command) => !table[command]).map((command) => `${fn.handler}: ${command}`),
    );
    expect(unknown).toEqual([]);
  });

  it("grants each function's role every action of every command its code sends", () => {
    const gaps = functions.flatMap((fn) =>
      fn.commands.flatMap((command) =>
        (table[command]?.actions ?? [])
          // Some statement allows the action on some resource: a wildcard resource stands for any.
          .filter((action) => !fn.role.some((s) => s.effect === 'Allow' && s.resources.some((r) => allows([s], action, r, flatContext(s)))))
          .map((action) => `${fn.handler} (${fn.id}): ${command} needs ${action}`),
      ),
    );
    expect(gaps).toEqual([]);
  });
});

/** A context that satisfies the statement's own conditions (they restrict the resource, which this test leaves to others). */
function flatContext(statement: ResolvedStatement): Record<string, string> {
  const context: Record<string, string> = {};
  for (const keys of Object.values(statement.conditions))
    for (const [key, values] of Object.entries(keys)) if (values[0] !== undefined) context[key] = values[0];
  return context;
}
