import { describe, expect, it } from 'vitest';
import { withBasePath } from '../../handlers/lib/tenant-url.js';

describe('withBasePath', () => {
  it("points at the root page under the app's paths.base, where SvelteKit answers it (with its slash)", () => {
    expect(withBasePath('http://demo.localhost:8080/', '/base')).toBe('http://demo.localhost:8080/base/');
    expect(withBasePath('https://demo.apps.example.com/', '/docs/v2')).toBe('https://demo.apps.example.com/docs/v2/');
  });

  it('leaves the URL alone without a base path, and stays undefined without a URL', () => {
    expect(withBasePath('http://demo.localhost:8080/', undefined)).toBe('http://demo.localhost:8080/');
    expect(withBasePath('http://demo.localhost:8080/', '')).toBe('http://demo.localhost:8080/');
    expect(withBasePath(undefined, '/base')).toBeUndefined();
  });
});
