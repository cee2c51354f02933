import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openState } from '../../handlers/pipeline/state.js';
import { handler as release } from '../../handlers/pipeline/release.js';
import { handler as prepareBuild } from '../../handlers/pipeline/prepare-build.js';
import { startTestAws, ticketFor, type TestAws } from '../support/local-aws.js';

/**
 * Attack: a ticket taken from one execution (its input, in raw history) is replayed into a later
 * pipeline step of another execution of the same project. Only *Verify ticket* used to bind the
 * execution; now every step does, and binds the deployment too.
 */
let aws: TestAws;
beforeAll(async () => {
  aws = await startTestAws();
});
afterAll(async () => {
  await aws?.close();
});

const project = 'victim';
const own = { name: `${project}--build-deploy--d-own-000001`, deploymentId: 'd-own-000001' };
const other = { name: `${project}--build-deploy--d-other-000002`, deploymentId: 'd-other-000002' };

function step(executionName: string, state: Record<string, unknown>) {
  return { executionName, state: { project, source: { bucket: 'slipway-sources', key: `sources/${project}/x.tar.gz` }, ...state } };
}

describe('every pipeline step binds its ticket to the execution and the deployment', () => {
  it('opens the state of the execution and deployment the ticket was issued for', async () => {
    const ticket = await ticketFor('build-deploy', project, own.name, { deploymentId: own.deploymentId });
    const { state, claims } = await openState(step(own.name, { ticket, deploymentId: own.deploymentId }), 'build-deploy');
    expect(state.deploymentId).toBe(own.deploymentId);
    expect(claims).toMatchObject({ exe: own.name, dep: own.deploymentId });
  });

  it("refuses a ticket of another execution of the same project, even with that execution's deployment id", async () => {
    const stolen = await ticketFor('build-deploy', project, other.name, { deploymentId: other.deploymentId });
    const input = step(own.name, { ticket: stolen, deploymentId: other.deploymentId });
    await expect(openState(input, 'build-deploy')).rejects.toThrow(`ticket is for execution ${other.name}, not ${own.name}`);
    // The real steps refuse before acting: Release would otherwise move the live pointer.
    await expect(release(input)).rejects.toMatchObject({ name: 'TicketError' });
    await expect(prepareBuild(input)).rejects.toMatchObject({ name: 'TicketError' });
  });

  it('refuses a state naming another deployment than the ticket', async () => {
    const ticket = await ticketFor('build-deploy', project, own.name, { deploymentId: own.deploymentId });
    const input = step(own.name, { ticket, deploymentId: other.deploymentId });
    await expect(openState(input, 'build-deploy')).rejects.toThrow(
      `ticket is for deployment ${own.deploymentId}, not ${other.deploymentId}`,
    );
    await expect(release(input)).rejects.toMatchObject({ name: 'TicketError' });
  });

  it('refuses a ticket without a deployment for a state that names one, and the reverse', async () => {
    const projectTicket = await ticketFor('build-deploy', project, own.name);
    await expect(openState(step(own.name, { ticket: projectTicket, deploymentId: own.deploymentId }), 'build-deploy')).rejects.toThrow(
      'ticket is for deployment none',
    );
    const deployTicket = await ticketFor('build-deploy', project, own.name, { deploymentId: own.deploymentId });
    await expect(openState(step(own.name, { ticket: deployTicket }), 'build-deploy')).rejects.toThrow(
      `ticket is for deployment ${own.deploymentId}, not none`,
    );
  });

  it('refuses a step invoked without the execution name (the bare state, as before)', async () => {
    const ticket = await ticketFor('build-deploy', project, own.name, { deploymentId: own.deploymentId });
    await expect(openState({ ticket, project, deploymentId: own.deploymentId }, 'build-deploy')).rejects.toThrow(
      'pipeline input field executionName is invalid',
    );
  });
});
