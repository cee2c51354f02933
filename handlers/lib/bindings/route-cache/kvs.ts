// The KeyValueStore API is signed with SigV4A; the SDK picks the signer up once it is loaded.
import '@aws-sdk/signature-v4a';
import {
  CloudFrontKeyValueStoreClient,
  ConflictException,
  DescribeKeyValueStoreCommand,
  GetKeyCommand,
  ResourceNotFoundException,
  UpdateKeysCommand,
} from '@aws-sdk/client-cloudfront-keyvaluestore';
import type { RouteCache } from '../types.js';

/** The part of the SDK client this cache uses (a mock in unit tests). */
export interface KvsClient {
  send: CloudFrontKeyValueStoreClient['send'];
}

export interface KvsRouteCacheOptions {
  /** At most this many puts + deletes per UpdateKeys call (the service allows 50). */
  batchSize?: number;
  /** At most this many request bytes (keys + values) per UpdateKeys call (the service allows 3 MB). */
  batchBytes?: number;
  /** Attempts per batch when another writer moved the ETag in between (ConflictException). */
  maxAttempts?: number;
  /** Pause before retry n (1-based); exponential with jitter by default. */
  backoff?: (attempt: number) => Promise<void>;
}

type Change = { put: { Key: string; Value: string } } | { delete: { Key: string } };

const defaultBackoff = (attempt: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, Math.min(2000, 50 * 2 ** attempt) * (0.5 + Math.random() / 2)));

/**
 * The route cache on AWS: the CloudFront KeyValueStore the viewer-request function reads. Writes
 * are UpdateKeys calls guarded by the store's ETag (DescribeKeyValueStore), in batches that apply
 * in order, so a caller that writes routes first and the live pointer last keeps that order at
 * the edge. A batch that loses a race (another writer changed the ETag) is retried with a fresh ETag.
 */
export class KvsRouteCache implements RouteCache {
  private readonly client: KvsClient;
  private readonly batchSize: number;
  private readonly batchBytes: number;
  private readonly maxAttempts: number;
  private readonly backoff: (attempt: number) => Promise<void>;
  private etag: string | undefined;

  constructor(
    private readonly kvsArn: string,
    client?: KvsClient,
    options: KvsRouteCacheOptions = {},
  ) {
    this.client = client ?? new CloudFrontKeyValueStoreClient({});
    this.batchSize = options.batchSize ?? 50;
    this.batchBytes = options.batchBytes ?? 2.5 * 1024 * 1024;
    this.maxAttempts = options.maxAttempts ?? 6;
    this.backoff = options.backoff ?? defaultBackoff;
  }

  async get(key: string): Promise<string | undefined> {
    try {
      const out = await this.client.send(new GetKeyCommand({ KvsARN: this.kvsArn, Key: key }));
      return out.Value;
    } catch (error) {
      if (error instanceof ResourceNotFoundException || (error as { name?: string }).name === 'ResourceNotFoundException') return undefined;
      throw error;
    }
  }

  putMany(entries: Record<string, string>): Promise<void> {
    return this.apply(Object.entries(entries).map(([Key, Value]) => ({ put: { Key, Value } })));
  }

  /**
   * Deleting a key the store does not hold is a no-op for callers: cleanup and project deletion
   * name every key a deployment may have had. AWS documents UpdateKeys as all-or-nothing and lists
   * ResourceNotFoundException and ValidationException among its errors without saying which one a
   * missing key raises, so a batch refused that way is retried without the keys GetKey cannot find.
   */
  deleteMany(keys: string[]): Promise<void> {
    return this.apply(keys.map((Key) => ({ delete: { Key } })));
  }

  private async apply(changes: Change[]): Promise<void> {
    for (const batch of this.batches(changes)) await this.send(batch);
  }

  private batches(changes: Change[]): Change[][] {
    const out: Change[][] = [];
    let current: Change[] = [];
    let bytes = 0;
    for (const change of changes) {
      const size = 'put' in change ? byteLength(change.put.Key) + byteLength(change.put.Value) : byteLength(change.delete.Key);
      if (current.length > 0 && (current.length >= this.batchSize || bytes + size > this.batchBytes)) {
        out.push(current);
        current = [];
        bytes = 0;
      }
      current.push(change);
      bytes += size;
    }
    if (current.length > 0) out.push(current);
    return out;
  }

  private async currentEtag(): Promise<string> {
    if (this.etag) return this.etag;
    const out = await this.client.send(new DescribeKeyValueStoreCommand({ KvsARN: this.kvsArn }));
    if (!out.ETag) throw new Error(`DescribeKeyValueStore returned no ETag for ${this.kvsArn}`);
    this.etag = out.ETag;
    return out.ETag;
  }

  private async send(batch: Change[]): Promise<void> {
    try {
      await this.sendOnce(batch);
    } catch (error) {
      if (!isMissingKeyRefusal(error) || !batch.some((change) => 'delete' in change)) throw error;
      // The store itself must still exist: DescribeKeyValueStore (a fresh ETag) throws if not.
      await this.currentEtag();
      const present: Change[] = [];
      for (const change of batch) {
        if ('put' in change || (await this.get(change.delete.Key)) !== undefined) present.push(change);
      }
      if (present.length === batch.length) throw error;
      if (present.length > 0) await this.sendOnce(present);
    }
  }

  private async sendOnce(batch: Change[]): Promise<void> {
    const Puts = batch.flatMap((change) => ('put' in change ? [change.put] : []));
    const Deletes = batch.flatMap((change) => ('delete' in change ? [change.delete] : []));
    for (let attempt = 1; ; attempt++) {
      const IfMatch = await this.currentEtag();
      try {
        const out = await this.client.send(
          new UpdateKeysCommand({
            KvsARN: this.kvsArn,
            IfMatch,
            ...(Puts.length > 0 ? { Puts } : {}),
            ...(Deletes.length > 0 ? { Deletes } : {}),
          }),
        );
        this.etag = out.ETag;
        return;
      } catch (error) {
        this.etag = undefined;
        const conflict = error instanceof ConflictException || (error as { name?: string }).name === 'ConflictException';
        if (!conflict || attempt >= this.maxAttempts) throw error;
        await this.backoff(attempt);
      }
    }
  }
}

function isMissingKeyRefusal(error: unknown): boolean {
  const name = (error as { name?: string }).name;
  return error instanceof ResourceNotFoundException || name === 'ResourceNotFoundException' || name === 'ValidationException';
}

function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}
