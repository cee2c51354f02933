import { mkdtempSync, rmSync } from 'node:fs';
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
});
