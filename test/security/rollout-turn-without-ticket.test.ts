import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { handler as stackTurn } from '../../handlers/pipeline/stack-turn.js';
import { synthesizedOnce } from '../support/synthesized-once.js';
import { startTestAws, type TestAws } from '../support/local-aws.js';

/**
 * Attack: the template rollout takes a project's stack turn without a ticket (no user asks for it),
 * naming itself with `operation: template-rollout`. A deployment's execution input is the caller's
 * to shape: if that name could come from the state, any deploy could take (and hold for its lease)
 * the stack turn of a project its ticket does not name. The name is only honoured as a constant of
 * the payload, beside `state`, which only the rollout's definition sends.
 */
let aws: TestAws;
beforeAll(async () => {
  aws = await startTestAws();
  await aws.platform.table.send(
    new PutCommand({ TableName: 'slipway-platform', Item: { pk: 'PROJECT#victim', sk: 'META', name: 'victim', status: 'LIVE' } }),
  );
});
afterAll(async () => {
  await aws?.close();
});

const turnHolder = async () =>
  (await aws.platform.table.send(new GetCommand({ TableName: 'slipway-platform', Key: { pk: 'PROJECT#victim', sk: 'META' } }))).Item
    ?.stackTurn;

describe('the rollout’s ticketless stack turn', () => {
  it('is refused to a pipeline state that names the rollout’s operation itself', async () => {
    const forged = {
      action: 'take',
      executionName: 'attacker--build-deploy--d-attack-0001',
      state: { project: 'victim', operation: 'template-rollout', ticket: 'not-a-ticket' },
    };
    await expect(stackTurn(forged)).rejects.toMatchObject({ name: 'TicketError' });
    expect(await turnHolder()).toBeUndefined();
  });

  it('is only ever sent by the rollout’s definition, as a constant, never from a path of the state', async () => {
    const senders: string[] = [];
    const visit = (machine: string, value: unknown): void => {
      if (Array.isArray(value)) {
        for (const item of value) visit(machine, item);
        return;
      }
      if (!value || typeof value !== 'object') return;
      for (const [key, inner] of Object.entries(value)) {
        if (key === 'operation.$') senders.push(`${machine}: a path`);
        if (key === 'operation' && inner === 'template-rollout') senders.push(machine);
        visit(machine, inner);
      }
    };
    for (const [name, workflow] of (await synthesizedOnce()).workflows) visit(name, workflow.definition);
    // Take and give, in the rollout's Map: nothing else names it, and nothing takes it from the state.
    expect(senders).toEqual(['slipway-template-rollout', 'slipway-template-rollout', 'slipway-template-rollout']);
  });

  it('names a project by the project-name pattern only, and otherwise works as the rollout uses it', async () => {
    const rollout = (project: string, action: 'take' | 'give') => ({
      operation: 'template-rollout',
      action,
      executionName: 'template-rollout-test',
      state: { project },
    });
    // Not a project name: falls back to the ticket check, which has no ticket to open.
    await expect(stackTurn(rollout('Victim/../other', 'take'))).rejects.toThrow(/ticket|state/);
    expect(await stackTurn(rollout('victim', 'take'))).toEqual({ held: true });
    expect(await turnHolder()).toBe('template-rollout-test');
    await stackTurn(rollout('victim', 'give'));
    expect(await turnHolder()).toBeUndefined();
  });
});
