import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoClient } from '../../handlers/lib/clients.js';
import { DEFAULT_NAMES } from '../../handlers/lib/config.js';
import { addDomain, listDomains, removeDomain, verifyDomain } from '../../handlers/lib/project-settings/store.js';
import { getDeploymentItem, getDeploymentStatus, putDeploymentItem } from '../../handlers/lib/table/deployments.js';
import { deploymentKey, domainClaimKey, domainKey, projectKey } from '../../handlers/lib/table/keys.js';
import { deleteItems, queryProjectPartition } from '../../handlers/lib/table/project-partition.js';
import { getProjectItem, putNewProject, setProjectLive } from '../../handlers/lib/table/projects.js';
import { startTestAws, type TestAws } from '../support/local-aws.js';

/**
 * The project-partition items through the table module, against the local DynamoDB: what the API
 * and the pipeline rely on beyond a single get or put.
 */

let aws: TestAws;
beforeAll(async () => {
  aws = await startTestAws();
});
afterAll(async () => {
  await aws?.close();
});

const at = '2026-01-01T00:00:00.000Z';
const deployment = (project: string, id: string) => ({
  id,
  project,
  status: 'QUEUED',
  createdAt: at,
  createdBy: 'admin',
  source: { bucket: DEFAULT_NAMES.sourceBucket, key: `sources/${project}/${id}.tar.gz` },
});

describe('project items', () => {
  it('creates a project once and reads back what the state machines add beside its fields', async () => {
    expect(await putNewProject({ name: 'items-a', owner: 'alice', status: 'CREATING', createdAt: at })).toBe(true);
    expect(await putNewProject({ name: 'items-a', owner: 'mallory', status: 'CREATING', createdAt: at })).toBe(false);
    // As the rollback workflow records it in ASL.
    await dynamoClient().send(
      new UpdateCommand({
        TableName: DEFAULT_NAMES.table,
        Key: projectKey('items-a'),
        UpdateExpression: 'SET rolledBackTo = :to',
        ExpressionAttributeValues: { ':to': 'd-first-0001' },
      }),
    );
    expect(await setProjectLive('items-a', 'd-first-0001', at)).toBeNull();
    expect(await setProjectLive('items-a', 'd-second-0002', at)).toBe('d-first-0001');
    expect(await getProjectItem('items-a')).toEqual({
      name: 'items-a',
      owner: 'alice',
      status: 'CREATING',
      createdAt: at,
      liveDeploymentId: 'd-second-0002',
      liveAt: at,
      rolledBackTo: 'd-first-0001',
    });
  });

  it('refuses to read a deployment item that lacks a field every deployment has, naming it', async () => {
    await putDeploymentItem(deployment('items-a', 'd-whole-0001'));
    expect(await getDeploymentItem('items-a', 'd-whole-0001')).toMatchObject({ id: 'd-whole-0001', status: 'QUEUED' });
    // A record failure written in ASL after the item was deleted creates it with only these fields.
    await dynamoClient().send(
      new UpdateCommand({
        TableName: DEFAULT_NAMES.table,
        Key: deploymentKey('items-a', 'd-partial-0002'),
        UpdateExpression: 'SET #status = :failed',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':failed': 'FAILED' },
      }),
    );
    await expect(getDeploymentItem('items-a', 'd-partial-0002')).rejects.toThrow(/"id"/);
    // The rollback check needs only the status, and still reads it.
    expect(await getDeploymentStatus('items-a', 'd-partial-0002')).toEqual({ status: 'FAILED' });
    expect(await getDeploymentStatus('items-a', 'd-absent-0003')).toBeUndefined();
  });

  it('lists and deletes a whole partition, more items than one batch write takes', async () => {
    expect(await putNewProject({ name: 'items-b', owner: 'alice', status: 'READY', createdAt: at })).toBe(true);
    const ids = Array.from({ length: 60 }, (_, i) => `d-many-${String(i).padStart(4, '0')}`);
    await Promise.all(
      ids.map((id) => putDeploymentItem({ ...deployment('items-b', id), ...(id.endsWith('7') ? { preview: 'alias' } : {}) })),
    );
    const entries = await queryProjectPartition('items-b');
    expect(entries).toHaveLength(61);
    expect(entries.filter((entry) => entry.preview === 'alias')).toHaveLength(6);
    await deleteItems(entries);
    expect(await queryProjectPartition('items-b')).toEqual([]);
    // The neighbouring project's partition is untouched.
    expect(await getProjectItem('items-a')).toMatchObject({ name: 'items-a' });
  });

  it('keeps a custom domain with the one project that proved it: a taken host names its holder, a non-holder removes nothing', async () => {
    const claim = { domain: 'shop.example.com', createdAt: at, createdBy: 'alice', status: 'PENDING' as const };
    const token = { a: 'slipway-verify=a', c: 'slipway-verify=c' };
    // Both may have it pending; only the owner of the DNS (who published a's token) proves it.
    aws.platform.txtResolver = { resolveTxt: async (name) => (name === '_slipway-challenge.shop.example.com' ? [token.a] : []) };
    expect(await addDomain({ ...claim, project: 'items-a', token: token.a })).toEqual({ ok: true });
    expect(await addDomain({ ...claim, project: 'items-c', token: token.c })).toEqual({ ok: true });
    expect((await verifyDomain({ ...claim, project: 'items-c', token: token.c })).check.proven).toBe(false);
    const proven = await verifyDomain({ ...claim, project: 'items-a', token: token.a });
    expect(proven.item.status).toBe('VERIFIED');
    expect(await addDomain({ ...claim, project: 'items-d', token: 'slipway-verify=d' })).toEqual({ ok: false, heldBy: 'items-a' });
    // c's pending record, even with a's token published, cannot take the claim a holds.
    aws.platform.txtResolver = { resolveTxt: async () => [token.a, token.c] };
    expect((await verifyDomain({ ...claim, project: 'items-c', token: token.c })).check).toEqual({
      proven: false,
      problem: 'shop.example.com is already used by another project',
    });
    expect(await removeDomain('items-d', 'shop.example.com')).toBe(false);
    expect(await listDomains('items-a')).toEqual([
      { ...claim, project: 'items-a', token: token.a, status: 'VERIFIED', verifiedAt: proven.item.verifiedAt },
    ]);
    expect(await removeDomain('items-a', 'shop.example.com')).toBe(true);
    expect((await verifyDomain({ ...claim, project: 'items-c', token: token.c })).item.status).toBe('VERIFIED');
  });

  it('reads a domain stored before ownership proofs as PENDING with a token of its own; its old claim holds nothing', async () => {
    // The shapes the API wrote before: a record and a claim made at adding time, no status, no token.
    const old = { domain: 'legacy.example.com', project: 'items-a', createdAt: at, createdBy: 'alice' };
    const table = DEFAULT_NAMES.table;
    await dynamoClient().send(
      new PutCommand({ TableName: table, Item: { ...domainKey('items-a', old.domain), entity: 'domain', ...old } }),
    );
    await dynamoClient().send(
      new PutCommand({ TableName: table, Item: { ...domainClaimKey(old.domain), entity: 'domain-claim', ...old } }),
    );
    const [migrated] = await listDomains('items-a');
    expect(migrated).toMatchObject({ ...old, status: 'PENDING', token: expect.stringMatching(/^slipway-verify=[0-9a-f]{32}$/) });
    // The token is stored: the next read shows the same one.
    expect((await listDomains('items-a'))[0]?.token).toBe(migrated?.token);
    // The real owner, in another project, adds and proves it.
    aws.platform.txtResolver = { resolveTxt: async () => ['slipway-verify=owner'] };
    const owner = { ...old, project: 'items-c', status: 'PENDING' as const, token: 'slipway-verify=owner' };
    expect(await addDomain(owner)).toEqual({ ok: true });
    expect((await verifyDomain(owner)).item.status).toBe('VERIFIED');
    expect((await verifyDomain(migrated!)).check).toMatchObject({ proven: false });
  });
});
