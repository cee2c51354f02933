import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { sign } from '@octokit/webhooks-methods';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { linkProjectRepository } from '../../handlers/api/records.js';
import { installationsOwnedBy } from '../../handlers/lib/table/github-installations.js';
import { dynamoClient } from '../../handlers/lib/clients.js';
import { DEFAULT_NAMES } from '../../handlers/lib/config.js';
import { createReadyProject, startApiHarness, WEBHOOK_SECRET, type ApiHarness } from '../api/support/api-harness.js';

/**
 * Attack: GitHub's signature covers a webhook's body, not its X-GitHub-Delivery header, so whoever
 * captured one signed delivery could re-send it under a fresh delivery id and have it applied
 * again (an old `installation` `created` after `deleted` re-granted the repositories; an old push
 * started another deployment). A body already applied is refused like a repeated delivery.
 */
let harness: ApiHarness;

beforeAll(async () => {
  harness = await startApiHarness();
}, 60_000);

afterAll(async () => {
  await harness?.close();
});

async function deliver(event: string, body: string, delivery = randomUUID()): Promise<{ status: number; json: Record<string, any> }> {
  const response = await harness.app.request('/api/v1/webhooks/github', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-github-event': event,
      'x-github-delivery': delivery,
      'x-hub-signature-256': await sign(WEBHOOK_SECRET, body),
    },
    body,
  });
  return { status: response.status, json: (await response.json()) as Record<string, any> };
}

describe('a signed webhook body re-sent under a new delivery id', () => {
  it('does not re-grant a deleted installation', async () => {
    const installation = { id: 9101, account: { login: 'replayed' } };
    const created = JSON.stringify({ action: 'created', installation, repositories: [{ full_name: 'replayed/private-repo' }] });
    expect((await deliver('installation', created)).status).toBe(202);
    expect((await installationsOwnedBy('replayed')).map((grant) => grant.repositories)).toEqual([['replayed/private-repo']]);
    expect((await deliver('installation', JSON.stringify({ action: 'deleted', installation }))).status).toBe(202);
    expect(await installationsOwnedBy('replayed')).toEqual([]);

    const replay = await deliver('installation', created);
    expect(replay).toEqual({ status: 200, json: { ignored: 'duplicate delivery' } });
    expect(await installationsOwnedBy('replayed')).toEqual([]);
  });

  it('does not start a second deployment from a replayed push', async () => {
    const repository = 'replayed/shop';
    await createReadyProject(harness, 'replayshop');
    await linkProjectRepository('replayshop', repository);
    const push = JSON.stringify({
      ref: 'refs/heads/main',
      before: '0'.repeat(40),
      after: 'c'.repeat(40),
      deleted: false,
      created: false,
      repository: { id: 1, full_name: repository, default_branch: 'main', private: true },
      installation: { id: 9102 },
      sender: { login: 'octocat' },
    });
    const pushes = async () =>
      (
        await dynamoClient().send(
          new QueryCommand({
            TableName: DEFAULT_NAMES.table,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :push)',
            ExpressionAttributeValues: { ':pk': 'PROJECT#replayshop', ':push': 'PUSH#' },
            ConsistentRead: true,
          }),
        )
      ).Items ?? [];
    expect((await deliver('push', push)).status).toBe(202);
    expect(await pushes()).toHaveLength(1);

    expect(await deliver('push', push)).toEqual({ status: 200, json: { ignored: 'duplicate delivery' } });
    expect(await pushes()).toHaveLength(1);
  });
});
