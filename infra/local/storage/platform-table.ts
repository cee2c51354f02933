import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import {
  type AttributeValue,
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceNotFoundException,
  ScanCommand,
  waitUntilTableExists,
  waitUntilTableNotExists,
} from '@aws-sdk/client-dynamodb';
import { ENTITY_INDEX } from '../../../handlers/lib/table/keys.js';

type Item = Record<string, AttributeValue>;

/** The platform table as infra/aws/storage/platform-storage.ts defines it: pk/sk and the entity index. */
function tableDefinition(table: string): CreateTableCommand {
  return new CreateTableCommand({
    TableName: table,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
      { AttributeName: ENTITY_INDEX.partitionKey, AttributeType: 'S' },
      { AttributeName: ENTITY_INDEX.sortKey, AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: ENTITY_INDEX.name,
        KeySchema: [
          { AttributeName: ENTITY_INDEX.partitionKey, KeyType: 'HASH' },
          { AttributeName: ENTITY_INDEX.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
  });
}

// Binary attribute values (B, BS) survive the JSON backup as base64.
function binaryAsBase64(_key: string, value: unknown): unknown {
  return value instanceof Uint8Array ? { $base64: Buffer.from(value).toString('base64') } : value;
}

function base64AsBinary(_key: string, value: unknown): unknown {
  const encoded = (value as { $base64?: unknown } | null)?.$base64;
  return typeof encoded === 'string' ? new Uint8Array(Buffer.from(encoded, 'base64')) : value;
}

async function describe(client: DynamoDBClient, table: string) {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: table }))).Table;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

async function scanItems(client: DynamoDBClient, table: string): Promise<Item[]> {
  const items: Item[] = [];
  let start: Item | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

async function writeItems(client: DynamoDBClient, table: string, items: Item[]): Promise<void> {
  for (let i = 0; i < items.length; i += 25) {
    let requests = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    while (requests.length > 0) {
      const out = await client.send(new BatchWriteItemCommand({ RequestItems: { [table]: requests } }));
      requests = (out.UnprocessedItems?.[table] ?? []).flatMap((r) =>
        r.PutRequest?.Item ? [{ PutRequest: { Item: r.PutRequest.Item } }] : [],
      );
    }
  }
}

async function create(client: DynamoDBClient, table: string): Promise<void> {
  await client.send(tableDefinition(table));
  await waitUntilTableExists({ client, maxWaitTime: 30 }, { TableName: table });
}

/**
 * Creates the platform table, or brings one made before the entity index up to date. dynalite
 * cannot add an index to an existing table (its UpdateTable changes throughput only), so the items
 * are saved to `backupFile`, the table is made again and they are written back; a start that finds
 * the file (a migration cut short) restores from it first.
 */
export async function ensurePlatformTable(client: DynamoDBClient, table: string, backupFile: string): Promise<void> {
  let current = await describe(client, table);
  if (current && !existsSync(backupFile) && current.GlobalSecondaryIndexes?.some((i) => i.IndexName === ENTITY_INDEX.name)) return;
  if (current && !existsSync(backupFile)) {
    writeFileSync(backupFile, JSON.stringify(await scanItems(client, table), binaryAsBase64));
  }
  if (current) {
    await client.send(new DeleteTableCommand({ TableName: table }));
    await waitUntilTableNotExists({ client, maxWaitTime: 30 }, { TableName: table });
    current = undefined;
  }
  await create(client, table);
  if (existsSync(backupFile)) {
    await writeItems(client, table, JSON.parse(readFileSync(backupFile, 'utf8'), base64AsBinary) as Item[]);
    rmSync(backupFile);
  }
}
