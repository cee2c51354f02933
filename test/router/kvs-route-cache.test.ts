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
function fakeStore(options: { conflicts?: number; missingDelete?: 'ResourceNotFoundException' | 'ValidationException' } = {}) {
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
        // All or nothing, as UpdateKeys is documented: a refused batch changes no key.
        const missing = (input.Deletes ?? []).find((del) => !data.has(del.Key) && !input.Puts?.some((put) => put.Key === del.Key));
        if (missing && options.missingDelete) {
          throw Object.assign(new Error(`key ${missing.Key} not found`), { name: options.missingDelete, $metadata: {} });
        }
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

describe('KvsRouteCache: deleting keys that were never written', () => {
  // AWS documents UpdateKeys as all-or-nothing and lists ResourceNotFoundException and
  // ValidationException among its errors, without saying what a Deletes entry for a missing key
  // does. Every way the service may answer must leave the caller's delete harmless.
  for (const refusal of ['ResourceNotFoundException', 'ValidationException'] as const) {
    it(`deletes the keys that exist when the service refuses a batch naming a missing one (${refusal})`, async () => {
      const store = fakeStore({ missingDelete: refusal });
      const cache = new KvsRouteCache(ARN, store.client, { backoff: noWait });
      await cache.putMany({ 'p:hello': 'd-2', 'r:d-1:/a': 'prerendered/a.html', 'r:d-1:/b': 'prerendered/b.html' });
      await cache.deleteMany(['r:d-1:/a', 'r:d-1:/never-written', 'r:d-1:/b']);
      expect([...store.data.keys()]).toEqual(['p:hello']);
      // Retried once, with the keys the store holds only.
      const updates = store.calls.filter((call) => call.name === 'UpdateKeysCommand');
      expect(updates.at(-1)?.input.Deletes).toEqual([{ Key: 'r:d-1:/a' }, { Key: 'r:d-1:/b' }]);
    });
  }

  it('sends nothing more when none of the keys exists, and nothing extra when the service ignores missing keys', async () => {
    const refusing = fakeStore({ missingDelete: 'ResourceNotFoundException' });
    await new KvsRouteCache(ARN, refusing.client, { backoff: noWait }).deleteMany(['r:d-9:/x', 'r:d-9:/y']);
    expect(refusing.calls.filter((call) => call.name === 'UpdateKeysCommand')).toHaveLength(1);

    const ignoring = fakeStore();
    ignoring.data.set('p:hello', 'd-1');
    await new KvsRouteCache(ARN, ignoring.client, { backoff: noWait }).deleteMany(['r:d-9:/x']);
    expect(ignoring.calls.map((call) => call.name)).toEqual(['DescribeKeyValueStoreCommand', 'UpdateKeysCommand']);
    expect(ignoring.data.get('p:hello')).toBe('d-1');
  });

  it('still fails when the store itself is gone, and for a refused batch of puts', async () => {
    const gone: KvsClient = {
      send: (async () => {
        throw new ResourceNotFoundException({ message: 'no such key value store', $metadata: {} });
      }) as KvsClient['send'],
    };
    await expect(new KvsRouteCache(ARN, gone, { backoff: noWait }).deleteMany(['r:d-1:/a'])).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );

    const store = fakeStore();
    let refused = 0;
    const invalid: KvsClient = {
      send: (async (command: { input: Record<string, unknown> }) => {
        if (command instanceof UpdateKeysCommand) {
          refused++;
          throw Object.assign(new Error('value too long'), { name: 'ValidationException' });
        }
        return store.client.send(command as never);
      }) as KvsClient['send'],
    };
    await expect(new KvsRouteCache(ARN, invalid, { backoff: noWait }).putMany({ k: 'v' })).rejects.toThrow('value too long');
    expect(refused).toBe(1);
  });
});

describe('the RouteCache bindings', () => {
  it('on AWS is the KeyValueStore the function environment names', () => {
    expect(awsRouteCache({ SLIPWAY_ROUTE_CACHE_KVS_ARN: ARN })).toBeInstanceOf(KvsRouteCache);
    expect(() => awsRouteCache({})).toThrow('no route cache is configured (SLIPWAY_ROUTE_CACHE_KVS_ARN)');
  });
});
