import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject, findProjectsByRepository, linkProjectRepository, listProjects } from '../../handlers/api/records.js';
import { putStoredSubscription } from '../../handlers/lib/table/subscriptions.js';
import { putDeploymentItem } from '../../handlers/lib/table/deployments.js';
import { DEFAULT_NAMES } from '../../handlers/lib/config.js';
import { BUILT_IN_SUBSCRIPTIONS } from '../../handlers/lib/limits.js';
import { ensurePlatformTable } from '../../infra/local/storage/platform-table.js';
import { startTestAws, type TestAws } from '../support/local-aws.js';

/**
 * The project list and push webhooks read projects from the table's entity index: a Query that
 * reads project items only, never a Scan of the table. Against the local DynamoDB (dynalite).
 */
let aws: TestAws;
const sent: Array<{ command: string; input: Record<string, unknown> }> = [];
beforeAll(async () => {
  aws = await startTestAws();
  // Every command the platform's table client sends, as the SDK sees it.
  aws.platform.table.middlewareStack.add(
    (next, context) => async (args) => {
      sent.push({ command: String(context.commandName), input: args.input as Record<string, unknown> });
      return next(args);
    },
    { step: 'initialize', name: 'recordCommands' },
  );
});
afterAll(async () => {
  await aws?.close();
});

describe('projects by the entity index', () => {
  it('lists every project and finds a repository’s projects with index queries only', async () => {
    for (const name of ['idx-beta', 'idx-alpha', 'idx-gamma']) await createProject(name, 'admin');
    await linkProjectRepository('idx-alpha', 'Octo/Shop');
    await linkProjectRepository('idx-gamma', 'octo/shop', 'release');
    // Items that are no projects, some with a name or a repository of their own.
    await putStoredSubscription({ name: 'idx-sub', limits: BUILT_IN_SUBSCRIPTIONS.free!, updatedAt: '2026-01-01', updatedBy: 'admin' });
    await putDeploymentItem({
      id: 'd-idx-0001',
      project: 'idx-alpha',
      status: 'LIVE',
      createdAt: '2026-01-01',
      createdBy: 'admin',
      source: { bucket: DEFAULT_NAMES.sourceBucket, key: 'sources/idx-alpha/x.tar.gz' },
      github: { repository: 'octo/shop', commit: 'abc', installationId: 1 },
    });

    sent.length = 0;
    expect((await listProjects()).map((p) => p.name)).toEqual(['idx-alpha', 'idx-beta', 'idx-gamma']);
    expect((await findProjectsByRepository('OCTO/shop')).map((p) => [p.name, p.productionBranch])).toEqual([
      ['idx-alpha', undefined],
      ['idx-gamma', 'release'],
    ]);
    expect(await findProjectsByRepository('octo/other')).toEqual([]);
    expect(sent.map((s) => s.command)).toEqual(['QueryCommand', 'QueryCommand', 'QueryCommand']);
    expect(sent.every((s) => s.input.IndexName === 'byEntity')).toBe(true);
  });
});

describe('the local table made before the index', () => {
  let server: ReturnType<typeof dynalite>;
  let client: DynamoDBClient;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'slipway-table-'));
    server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    client = new DynamoDBClient({
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  });
  afterAll(async () => {
    client?.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  const item = (name: string) => ({
    pk: { S: `PROJECT#${name}` },
    sk: { S: 'META' },
    entity: { S: 'project' },
    name: { S: name },
    sealed: { B: new Uint8Array([0, 1, 2, 255]) },
  });
  const projectsInIndex = async (table: string) =>
    (
      await client.send(
        new QueryCommand({
          TableName: table,
          IndexName: 'byEntity',
          KeyConditionExpression: 'entity = :p',
          ExpressionAttributeValues: { ':p': { S: 'project' } },
        }),
      )
    ).Items?.map((i) => i.name?.S);

  it('gains the index with every item kept, binary values included; a second start changes nothing', async () => {
    await client.send(
      new CreateTableCommand({
        TableName: 'old-table',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
      }),
    );
    for (const name of ['old-a', 'old-b']) await client.send(new PutItemCommand({ TableName: 'old-table', Item: item(name) }));
    await client.send(
      new PutItemCommand({ TableName: 'old-table', Item: { pk: { S: 'AUDIT#1' }, sk: { S: 'META' }, entity: { S: 'audit' } } }),
    );
    const backup = join(dir, 'migration.json');

    await ensurePlatformTable(client, 'old-table', backup);
    const described = (await client.send(new DescribeTableCommand({ TableName: 'old-table' }))).Table;
    expect(described?.GlobalSecondaryIndexes?.map((i) => i.IndexName)).toEqual(['byEntity']);
    expect((await client.send(new ScanCommand({ TableName: 'old-table' }))).Count).toBe(3);
    expect(await projectsInIndex('old-table')).toEqual(['old-a', 'old-b']);
    const kept = await client.send(new GetItemCommand({ TableName: 'old-table', Key: { pk: { S: 'PROJECT#old-a' }, sk: { S: 'META' } } }));
    expect(kept.Item?.sealed?.B).toEqual(new Uint8Array([0, 1, 2, 255]));
    expect(existsSync(backup)).toBe(false);

    await ensurePlatformTable(client, 'old-table', backup);
    expect((await client.send(new ScanCommand({ TableName: 'old-table' }))).Count).toBe(3);
  });

  it('finishes a migration cut short from its saved items', async () => {
    const backup = join(dir, 'cut-short.json');
    // The items were saved, then the start stopped (the table may or may not have been dropped).
    writeFileSync(backup, JSON.stringify([{ ...item('saved'), sealed: { B: { $base64: 'AAEC/w==' } } }]));
    await ensurePlatformTable(client, 'cut-table', backup);
    expect(await projectsInIndex('cut-table')).toEqual(['saved']);
    const restored = await client.send(
      new GetItemCommand({ TableName: 'cut-table', Key: { pk: { S: 'PROJECT#saved' }, sk: { S: 'META' } } }),
    );
    expect(restored.Item?.sealed?.B).toEqual(new Uint8Array([0, 1, 2, 255]));
    expect(existsSync(backup)).toBe(false);
  });
});
