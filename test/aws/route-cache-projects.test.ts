import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/aws/app.js';
import { awsPlatformSettings } from '../../infra/aws/runtime/platform-settings.js';
import { platformTemplate } from './support/iam-policy.js';

/**
 * `cdk deploy -c routeCacheProjects=N` reaches the two steps that hold deployments to their part
 * of the route cache (Validate output, Release) as SLIPWAY_ROUTE_CACHE_PROJECTS, and no other
 * function; their bundles bind it as Platform.routeCacheProjects.
 */
describe('the routeCacheProjects context key', () => {
  it('sets SLIPWAY_ROUTE_CACHE_PROJECTS on Validate output and Release only', () => {
    const resources = platformTemplate({ routeCacheProjects: '20' });
    const given = Object.entries(resources).flatMap(([id, r]) => {
      const variables = (r.Properties as { Environment?: { Variables?: Record<string, unknown> } } | undefined)?.Environment?.Variables;
      const value = r.Type === 'AWS::Lambda::Function' ? variables?.SLIPWAY_ROUTE_CACHE_PROJECTS : undefined;
      return value === undefined ? [] : [[id.replace(/[0-9A-F]{8}$/, ''), value]];
    });
    expect(given.sort()).toEqual([
      ['PipelineReleaseFunction', '20'],
      ['PipelineValidateOutputFunction', '20'],
    ]);
  });

  it('refuses a value that is not a whole number of projects, naming the context key', () => {
    for (const bad of ['0', 'ten', '2.5']) {
      expect(
        () => buildApp({ context: { 'aws:cdk:bundling-stacks': [], routeCacheProjects: bad }, validateTemplates: false }),
        bad,
      ).toThrow(/"field":"context.routeCacheProjects"/);
    }
  });

  it('is bound from the function’s environment, unset when the operator left it out', () => {
    expect(awsPlatformSettings({ SLIPWAY_ROUTE_CACHE_PROJECTS: '20' }).routeCacheProjects).toBe(20);
    expect(awsPlatformSettings({}).routeCacheProjects).toBeUndefined();
    expect(() => awsPlatformSettings({ SLIPWAY_ROUTE_CACHE_PROJECTS: '0' })).toThrow(/"field":"SLIPWAY_ROUTE_CACHE_PROJECTS"/);
  });
});
