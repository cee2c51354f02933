import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { zipFiles } from '../../../handlers/lib/zip.js';

describe('function.zip (handlers/lib/zip.ts)', () => {
  it('keeps server/ paths so the Handler server/handler.handler resolves, deterministic', () => {
    const files = [
      { path: 'server/package.json', body: Buffer.from('{ "type": "module" }\n') },
      { path: 'server/handler.js', body: Buffer.from('export const handler = async () => ({ statusCode: 200 });') },
      { path: 'server/chunks/a.js', body: Buffer.from('export default 1;') },
    ];
    const zip = zipFiles(files);
    const back = unzipSync(zip);
    expect(Object.keys(back).sort()).toEqual(['server/chunks/a.js', 'server/handler.js', 'server/package.json']);
    expect(Buffer.from(back['server/handler.js'] ?? []).toString()).toContain('export const handler');
    expect(Buffer.from(zipFiles([...files].reverse())).equals(Buffer.from(zip))).toBe(true);
  });

  it('refuses paths that could escape the archive root', () => {
    for (const path of ['/etc/passwd', 'server/../x', 'server//x', '']) {
      expect(() => zipFiles([{ path, body: Buffer.from('x') }]), path).toThrow(/refusing/);
    }
  });
});
