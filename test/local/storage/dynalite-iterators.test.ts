import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, PutItemCommand, QueryCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { DEFAULT_NAMES } from '../../../handlers/lib/config.js';
import { startLocalStorage, type LocalStorage } from '../../../infra/local/storage/local-storage.js';

/**
 * The local DynamoDB (dynalite over LevelDB) closes the iterator behind each Query and Scan once
 * it has answered (issue 11, idle RSS): dynalite 4 left every one open, so the platform's memory
 * grew with every query it ever served (infra/local/storage/dynalite-iterators.ts).
 */
interface Iterator {
  next(): Promise<unknown>;
  close(): Promise<void>;
}
const fromDynalite = createRequire(createRequire(import.meta.url).resolve('dynalite'));
const { AbstractIterator } = fromDynalite('abstract-level') as { AbstractIterator: { prototype: object } };
const base = Object.getPrototypeOf(AbstractIterator.prototype) as Iterator;

/** Every iterator that was read from, and every one that was closed, while `work` ran. */
async function iteratorsDuring(work: () => Promise<void>): Promise<{ read: Set<Iterator>; closed: Set<Iterator> }> {
  const read = new Set<Iterator>();
  const closed = new Set<Iterator>();
  const { next, close } = base;
  base.next = function (this: Iterator) {
    read.add(this);
    return next.call(this);
  };
  base.close = function (this: Iterator) {
    closed.add(this);
    return close.call(this);
  };
  try {
    await work();
    // dynalite closes after it has answered: give the last close a few turns.
    for (let turn = 0; turn < 20 && [...read].some((i) => !closed.has(i)); turn++) await new Promise((r) => setTimeout(r, 10));
  } finally {
    base.next = next;
    base.close = close;
  }
  return { read, closed };
}

let dir: string;
let storage: LocalStorage;
let client: DynamoDBClient;
const TableName = DEFAULT_NAMES.table;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'slipway-dynalite-'));
  storage = await startLocalStorage(join(dir, 'data'), DEFAULT_NAMES);
  client = new DynamoDBClient({ endpoint: storage.dynamoEndpoint, region: 'us-east-1', credentials: storage.issuer.platform });
  for (let i = 0; i < 10; i++) {
    await client.send(new PutItemCommand({ TableName, Item: { pk: { S: 'PROJECT#a' }, sk: { S: `DEPLOYMENT#${i}` } } }));
  }
});

afterAll(async () => {
  client?.destroy();
  await storage?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('local DynamoDB iterators', () => {
  it('are closed after each Query and Scan, whole or cut short by Limit, and the answers are unchanged', async () => {
    const query = (limit?: number) =>
      client.send(
        new QueryCommand({
          TableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': { S: 'PROJECT#a' } },
          ...(limit ? { Limit: limit } : {}),
        }),
      );
    const { read, closed } = await iteratorsDuring(async () => {
      for (let i = 0; i < 10; i++) {
        expect((await query()).Count).toBe(10);
        const page = await query(2);
        expect(page.Items?.map((item) => item.sk?.S)).toEqual(['DEPLOYMENT#0', 'DEPLOYMENT#1']);
        expect(page.LastEvaluatedKey?.sk?.S).toBe('DEPLOYMENT#1');
        expect((await client.send(new ScanCommand({ TableName, Limit: 3 }))).Count).toBe(3);
      }
    });
    expect(read.size).toBeGreaterThanOrEqual(30);
    const open = [...read].filter((iterator) => !closed.has(iterator)).length;
    expect(open, `${open} of ${read.size} iterators were left open`).toBe(0);
  });
});
