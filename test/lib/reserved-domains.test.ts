import { describe, expect, it } from 'vitest';
import { runInPlatform } from '../../handlers/lib/bindings/platform.js';
import type { Platform } from '../../handlers/lib/bindings/types.js';
import { platformDomains, reservedDomainProblem } from '../../handlers/lib/project-settings/reserved-domains.js';

/** Only the settings these functions read: the rest of a platform is never touched. */
const withSettings = <T>(settings: Partial<Platform>, work: () => T): T => runInPlatform(settings as Platform, work);

describe('the platform’s own domains', () => {
  it('are localhost, the tenants’ parent domain and the dashboard host, from the platform settings', () => {
    expect(withSettings({}, platformDomains)).toEqual(['localhost']);
    expect(withSettings({ tenantUrlTemplate: 'http://{project}.localhost:8080/' }, platformDomains)).toEqual(['localhost']);
    expect(
      withSettings(
        { tenantUrlTemplate: 'https://{project}.Apps.Example.com/', publicUrl: 'https://console.example.com/' },
        platformDomains,
      ),
    ).toEqual(['localhost', 'apps.example.com', 'console.example.com']);
    // A dashboard reached by address names no domain.
    expect(withSettings({ publicUrl: 'http://127.0.0.1:8080' }, platformDomains)).toEqual(['localhost']);
  });

  it('refuse those names and every name under them, and IP literals; other hosts pass', () => {
    const aws = { tenantUrlTemplate: 'https://{project}.apps.example.com/', publicUrl: 'https://console.example.com' };
    const problem = (domain: string) => withSettings(aws, () => reservedDomainProblem(domain));
    for (const domain of [
      'apps.example.com',
      'alice.apps.example.com',
      'a.b.apps.example.com',
      'console.example.com',
      'x.console.example.com',
      'localhost',
      'app.localhost',
    ])
      expect(problem(domain), domain).toMatch(/belongs to the platform/);
    expect(problem('10.0.0.1')).toMatch(/IP address/);
    expect(problem('::1')).toMatch(/IP address/);
    // Neighbours of the platform's names are someone else's: proven by DNS like any domain.
    for (const domain of ['example.com', 'www.example.com', 'myapps.example.com', 'apps.example.com.evil.net'])
      expect(problem(domain), domain).toBeUndefined();
  });
});
