import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileRouteCache } from '../../handlers/lib/bindings/route-cache/file.js';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('FileRouteCache', () => {
  it('shows a reader every write of another instance on its next lookup, even same-sized writes in quick succession', async () => {
    dir = mkdtempSync(join(tmpdir(), 'slipway-routes-'));
    const writer = new FileRouteCache(dir);
    const reader = new FileRouteCache(dir);
    expect(reader.getSync('p:demo')).toBeUndefined();
    for (const id of ['d-aaaa-0001', 'd-aaaa-0002', 'd-aaaa-0003', 'd-aaaa-0004']) {
      await writer.putMany({ 'p:demo': id });
      expect(reader.getSync('p:demo')).toBe(id);
    }
    await writer.deleteMany(['p:demo']);
    expect(reader.getSync('p:demo')).toBeUndefined();
  });

  it("sees another process's write (the file replaced on disk, not through this process) within a tenth of a second", async () => {
    dir = mkdtempSync(join(tmpdir(), 'slipway-routes-'));
    const reader = new FileRouteCache(dir);
    await reader.putMany({ 'p:demo': 'd-aaaa-0001' });
    expect(reader.getSync('p:demo')).toBe('d-aaaa-0001');
    // What another process's FileRouteCache does: a new file renamed into place.
    writeFileSync(join(dir, 'other.tmp'), JSON.stringify({ 'p:demo': 'd-bbbb-0002' }));
    renameSync(join(dir, 'other.tmp'), join(dir, 'routes.json'));
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(reader.getSync('p:demo')).toBe('d-bbbb-0002');
  });

  it('deletes keys that were never written without error, keeping the others', async () => {
    dir = mkdtempSync(join(tmpdir(), 'slipway-routes-'));
    const cache = new FileRouteCache(dir);
    await cache.deleteMany(['r:d-none-0001:/x']); // before the file exists
    await cache.putMany({ 'p:demo': 'd-aaaa-0001', 'r:d-aaaa-0001:/a': 'prerendered/a.html' });
    await cache.deleteMany(['r:d-aaaa-0001:/a', 'r:d-aaaa-0001:/never-written']);
    expect(await cache.get('r:d-aaaa-0001:/a')).toBeUndefined();
    expect(await cache.get('p:demo')).toBe('d-aaaa-0001');
  });
});
