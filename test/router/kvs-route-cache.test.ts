import {
  ConflictException,
  DescribeKeyValueStoreCommand,
  GetKeyCommand,
  ResourceNotFoundException,
  UpdateKeysCommand,
} from '@aws-sdk/client-cloudfront-keyvaluestore';
import { describe, expect, it } from 'vitest';
import { KvsRouteCache, type KvsClient } from '../../handlers/lib/bindings/route-cache/kvs.js';
import { awsRouteCache } from '../../infra/aws/runtime/route-cache.js';

const ARN = 'arn:aws:cloudfront::123456789012:key-value-store/0000-test';

/** An in-memory KeyValueStore speaking the three commands, with ETag checks. */
function fakeStore(options: { conflicts?: number } = {}) {
  const data = new Map<string, string>();
  let version = 1;
  let conflicts = options.conflicts ?? 0;
  const calls: Array<{ name: string; input: Record<string, unknown> }> = [];
  const client: KvsClient = {
    send: (async (command: { input: Record<string, unknown> }) => {
      calls.push({ name: command.constructor.name, input: command.input });
      expect(command.input.KvsARN).toBe(ARN);
      if (command instanceof DescribeKeyValueStoreCommand) return { ETag: `v${version}`, ItemCount: data.size };
      if (command instanceof GetKeyCommand) {
        const value = data.get(command.input.Key as string);
        if (value === undefined) throw new ResourceNotFoundException({ message: 'not found', $metadata: {} });
        return { Key: command.input.Key, Value: value };
      }
      if (command instanceof UpdateKeysCommand) {
        if (conflicts > 0) {
          conflicts--;
          version++; // someone else wrote in between
          throw new ConflictException({ message: 'etag mismatch', $metadata: {} });
        }
        if (command.input.IfMatch !== `v${version}`) throw new ConflictException({ message: 'etag mismatch', $metadata: {} });
        const input = command.input as { Puts?: Array<{ Key: string; Value: string }>; Deletes?: Array<{ Key: string }> };
        for (const put of input.Puts ?? []) data.set(put.Key, put.Value);
        for (const del of input.Deletes ?? []) data.delete(del.Key);
        version++;
        return { ETag: `v${version}`, ItemCount: data.size };
      }
      throw new Error(`unexpected command ${command.constructor.name}`);
    }) as KvsClient['send'],
  };
  return { client, data, calls };
}

const noWait = () => Promise.resolve();

describe('KvsRouteCache (CloudFront KeyValueStore, mocked client)', () => {
  it('puts and deletes with the ETag from DescribeKeyValueStore, then the one UpdateKeys returned', async () => {
    const store = fakeStore();
    const cache = new KvsRouteCache(ARN, store.client, { backoff: noWait });
    await cache.putMany({ 'p:hello': 'd-1', 'r:d-1:/about': 'prerendered/about.html' });
    expect(await cache.get('p:hello')).toBe('d-1');
    expect(await cache.get('p:missing')).toBeUndefined();
    await cache.deleteMany(['r:d-1:/about']);
    expect([...store.data.keys()]).toEqual(['p:hello']);
    const names = store.calls.map((call) => call.name);
    expect(names.filter((name) => name === 'DescribeKeyValueStoreCommand')).toHaveLength(1);
    const updates = store.calls.filter((call) => call.name === 'UpdateKeysCommand');
    expect(updates.map((call) => call.input.IfMatch)).toEqual(['v1', 'v2']);
    expect(updates[1]?.input.Puts).toBeUndefined();
  });

  it('splits large writes into ordered batches of at most 50 keys', async () => {
    const store = fakeStore();
    const cache = new KvsRouteCache(ARN, store.client, { backoff: noWait });
    const entries: Record<string, string> = {};
    for (let i = 0; i < 120; i++) entries[`r:d-1:/page-${i}`] = `prerendered/page-${i}.html`;
    entries['p:hello'] = 'd-1';
    await cache.putMany(entries);
    const updates = store.calls.filter((call) => call.name === 'UpdateKeysCommand');
    expect(updates.map((call) => (call.input.Puts as unknown[]).length)).toEqual([50, 50, 21]);
    // The live pointer, written last by the caller, lands in the last batch.
    expect((updates[2]?.input.Puts as Array<{ Key: string }> | undefined)?.at(-1)?.Key).toBe('p:hello');
    expect(store.data.size).toBe(121);
  });

  it('splits by size too', async () => {
    const store = fakeStore();
    const cache = new KvsRouteCache(ARN, store.client, { backoff: noWait, batchBytes: 100 });
    await cache.putMany({ a: 'x'.repeat(60), b: 'y'.repeat(60), c: 'z' });
    const updates = store.calls.filter((call) => call.name === 'UpdateKeysCommand');
    expect(updates).toHaveLength(2);
  });

  it('retries a batch with a fresh ETag when another writer won the race', async () => {
    const store = fakeStore({ conflicts: 2 });
    const cache = new KvsRouteCache(ARN, store.client, { backoff: noWait });
    await cache.putMany({ 'p:hello': 'd-2' });
    expect(store.data.get('p:hello')).toBe('d-2');
    expect(store.calls.filter((call) => call.name === 'DescribeKeyValueStoreCommand')).toHaveLength(3);
  });

  it('gives up after maxAttempts conflicts and surfaces other errors at once', async () => {
    const store = fakeStore({ conflicts: 10 });
    const cache = new KvsRouteCache(ARN, store.client, { backoff: noWait, maxAttempts: 3 });
    await expect(cache.putMany({ k: 'v' })).rejects.toBeInstanceOf(ConflictException);
    expect(store.calls.filter((call) => call.name === 'UpdateKeysCommand')).toHaveLength(3);

    const denied: KvsClient = {
      send: (async () => {
        throw Object.assign(new Error('denied'), { name: 'AccessDeniedException' });
      }) as KvsClient['send'],
    };
    await expect(new KvsRouteCache(ARN, denied, { backoff: noWait }).get('k')).rejects.toThrow('denied');
  });
});

describe('the RouteCache bindings', () => {
  it('on AWS is the KeyValueStore the function environment names', () => {
    expect(awsRouteCache({ SLIPWAY_ROUTE_CACHE_KVS_ARN: ARN })).toBeInstanceOf(KvsRouteCache);
    expect(() => awsRouteCache({})).toThrow('no route cache is configured (SLIPWAY_ROUTE_CACHE_KVS_ARN)');
  });
});
