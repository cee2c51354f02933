import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { localCloudFormation } from '../../../infra/local/cloudformation.js';
import type { FunctionSettings } from '../../../infra/local/function-host/host.js';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A function host that records what it is told of each project's function limits. */
function recordingHost() {
  const settings = new Map<string, FunctionSettings>();
  return {
    settings,
    prepare: async () => undefined,
    remove: async () => undefined,
    configure: (project: string, next: FunctionSettings) => void settings.set(project, next),
  };
}

const parameters = (memory: string, timeout: string) => [
  { ParameterKey: 'Project', ParameterValue: 'demo' },
  { ParameterKey: 'DeploymentId', ParameterValue: 'none' },
  { ParameterKey: 'MemorySize', ParameterValue: memory },
  { ParameterKey: 'FunctionTimeout', ParameterValue: timeout },
];

describe('local CloudFormation after a platform restart', () => {
  it("gives the function host each stack's memory and timeout again, as a Lambda function keeps them", async () => {
    dir = mkdtempSync(join(tmpdir(), 'slipway-cfn-'));
    const stateFile = join(dir, 'stacks.json');
    const before = recordingHost();
    const stacks = localCloudFormation(before, stateFile);
    await stacks('createStack', { StackName: 'slipway-project-demo', Parameters: parameters('2048', '60') });
    await stacks('createStack', { StackName: 'slipway-project-gone', Parameters: parameters('256', '5') });
    await stacks('deleteStack', { StackName: 'slipway-project-gone' });
    expect(before.settings.get('demo')).toEqual({ memoryMb: 2048, timeoutMs: 60_000 });

    const after = recordingHost();
    localCloudFormation(after, stateFile);
    expect(after.settings.get('demo')).toEqual({ memoryMb: 2048, timeoutMs: 60_000 });
    expect(after.settings.has('gone')).toBe(false);
  });
});
