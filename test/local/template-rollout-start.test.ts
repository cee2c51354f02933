import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startPlatform } from '../../infra/local/platform.js';
import { stateMachineArn } from '../../infra/local/engine/local-step-functions.js';
import { TEMPLATE_VERSION_TAG } from '../../infra/aws/projects/project-stack.js';
import { synthesizedOnce } from '../support/synthesized-once.js';

/**
 * `slipway up` on a state directory whose stored project stacks carry another template version
 * (the platform was updated since they last changed) starts slipway-template-rollout; a start with
 * every stack current starts none.
 */
const homes: string[] = [];
afterAll(() => {
  for (const home of homes) rmSync(home, { recursive: true, force: true });
});

function homeWithStack(version: string): string {
  const home = mkdtempSync(join(tmpdir(), 'slipway-rollout-start-'));
  homes.push(home);
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const name = 'slipway-project-older';
  const stack = {
    id: `arn:aws:cloudformation:us-east-1:000000000000:stack/${name}/00000000-0000-0000-0000-000000000000`,
    status: 'UPDATE_COMPLETE',
    parameters: { Project: 'older', DeploymentId: 'none' },
    tags: { [TEMPLATE_VERSION_TAG]: version },
  };
  writeFileSync(join(home, 'stacks.json'), JSON.stringify({ [name]: stack }));
  return home;
}

async function rolloutsStartedBy(home: string): Promise<Array<{ status: string; name: string }>> {
  const platform = await startPlatform({ home, port: 0, workflows: await synthesizedOnce() });
  try {
    const executions = platform.engine.listExecutions({ stateMachineArn: stateMachineArn('slipway-template-rollout') });
    // Awaited here, before the finally closes the platform (and with it the engine running them).
    return await Promise.all(
      executions.map(async (e) => {
        const record = await platform.engine.settled(e.executionArn);
        return { status: record.status, name: record.name };
      }),
    );
  } finally {
    await platform.close();
  }
}

describe('slipway up and the template rollout', () => {
  it('starts the rollout when a stored stack is behind the current template, and none when every stack is current', async () => {
    const current = (await synthesizedOnce()).projectStackTemplateVersion as string;
    const behind = await rolloutsStartedBy(homeWithStack('earlier0000000000'));
    expect(behind).toHaveLength(1);
    expect(behind[0]?.name).toMatch(new RegExp(`^template-rollout-${current}-[a-z0-9]+$`));
    expect(behind[0]?.status).toBe('SUCCEEDED');
    expect(await rolloutsStartedBy(homeWithStack(current))).toEqual([]);
  });
});
