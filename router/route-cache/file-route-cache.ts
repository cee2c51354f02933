import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RouteCache } from './route-cache.js';

/**
 * Local route cache: one JSON file, replaced atomically (write + rename) so a reader in another
 * process never sees half a write. Readers re-read when the file's content changes on disk, which
 * is what makes a release visible to the edge within one request, like a KeyValueStore update.
 */
export class FileRouteCache implements RouteCache {
  private readonly file: string;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(dir: string) {
    mkdirSync(dir, { recursive: true });
    this.file = join(dir, 'routes.json');
  }

  private read(): Record<string, string> {
    try {
      return JSON.parse(readFileSync(this.file, 'utf8')) as Record<string, string>;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw error;
    }
  }

  private write(entries: Record<string, string>): void {
    const temp = `${this.file}.${process.pid}.${Date.now()}.tmp`;
    writeFileSync(temp, JSON.stringify(entries));
    renameSync(temp, this.file);
  }

  /** Writes from one process are serialized; the platform has a single writer (the release step). */
  private update(change: (entries: Record<string, string>) => void): Promise<void> {
    const next = this.queue.then(() => {
      const entries = this.read();
      change(entries);
      this.write(entries);
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  async get(key: string): Promise<string | undefined> {
    return this.read()[key];
  }

  /** Synchronous read for the edge, which runs the CloudFront Function's KVS calls against it. */
  getSync(key: string): string | undefined {
    return this.read()[key];
  }

  putMany(entries: Record<string, string>): Promise<void> {
    return this.update((current) => Object.assign(current, entries));
  }

  deleteMany(keys: string[]): Promise<void> {
    return this.update((current) => {
      for (const key of keys) delete current[key];
    });
  }
}
