import type { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { LRUCache } from 'lru-cache';

/**
 * The edge's reads of static files (client assets, prerendered pages) from the project bucket,
 * with a bounded in-memory cache in front: what CloudFront's edge cache is on AWS. A deployment's
 * objects (`{project}/deployments/{id}/...`) never change once written, so a cached copy is never
 * stale and needs no invalidation; anything else is read from S3 every time.
 */
export interface EdgeObject {
  ContentType?: string;
  ContentLength?: number;
  ETag?: string;
  LastModified?: Date;
  /** A Buffer when the object came from the cache, else S3's stream. */
  Body?: Readable | Buffer;
}

export interface ObjectReaderOptions {
  s3: S3Client;
  bucket: string;
  /** Total bytes of bodies held (default 64 MiB); least recently used go first. */
  maxBytes?: number;
  /** Larger objects are streamed from S3 and never held (default 1 MiB). */
  maxObjectBytes?: number;
}

export type ObjectReader = (key: string, method: 'GET' | 'HEAD') => Promise<EdgeObject>;

const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;
const DEFAULT_MAX_OBJECT_BYTES = 1024 * 1024;
const DEPLOYMENT_OBJECT = /^[^/]+\/deployments\/[^/]+\/./;

interface Cached {
  body: Buffer;
  contentType?: string;
  etag?: string;
  lastModified?: Date;
}

function fromCache(entry: Cached, method: 'GET' | 'HEAD'): EdgeObject {
  return {
    ContentType: entry.contentType,
    ContentLength: entry.body.length,
    ETag: entry.etag,
    LastModified: entry.lastModified,
    ...(method === 'GET' ? { Body: entry.body } : {}),
  };
}

/** Reads as S3 would answer (a missing key rejects with S3's NoSuchKey/NotFound), cached where immutable. */
export function createObjectReader(options: ObjectReaderOptions): ObjectReader {
  const maxObjectBytes = options.maxObjectBytes ?? DEFAULT_MAX_OBJECT_BYTES;
  const cache = new LRUCache<string, Cached>({
    maxSize: options.maxBytes ?? DEFAULT_MAX_BYTES,
    maxEntrySize: maxObjectBytes,
    // An empty file still takes an entry.
    sizeCalculation: (entry) => Math.max(1, entry.body.length),
  });
  return async (key, method) => {
    const cached = cache.get(key);
    if (cached) return fromCache(cached, method);
    const input = { Bucket: options.bucket, Key: key };
    if (method === 'HEAD') return options.s3.send(new HeadObjectCommand(input));
    const object = await options.s3.send(new GetObjectCommand(input));
    const size = object.ContentLength;
    if (!DEPLOYMENT_OBJECT.test(key) || size === undefined || size > maxObjectBytes || !object.Body) {
      return { ...object, Body: object.Body as Readable | undefined };
    }
    const bytes = await object.Body.transformToByteArray();
    const entry: Cached = {
      body: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
      contentType: object.ContentType,
      etag: object.ETag,
      lastModified: object.LastModified,
    };
    cache.set(key, entry);
    return fromCache(entry, method);
  };
}
