import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as v from 'valibot';
import { FileRouteCache } from '../../handlers/lib/bindings/route-cache/file.js';
import { describe, expect, it } from 'vitest';
import { liveKey, parsePointer, pointerValue, previewKey } from '../../handlers/lib/route-cache-keys.js';
import { PreviewAlias, previewAliasFromBranch, previewLabel, previewTooLong } from '../../handlers/previews/alias.js';
import { deploymentQualifier } from '../../handlers/pipeline/deployment-version.js';
import { ProjectName } from '../../handlers/api/schemas.js';

describe('preview aliases and route-cache keys', () => {
  it('keys a preview as the live pointer of its host label', () => {
    expect(previewKey('hello', 'feature-x')).toBe('p:hello--feature-x');
    expect(previewKey('hello', 'feature-x')).toBe(liveKey(previewLabel('hello', 'feature-x')));
    expect(pointerValue('d-1', 'd-1')).toBe('d-1@d-1');
    expect(pointerValue('d-9', '42')).toBe('d-9@42');
    expect(parsePointer('d-9@42')).toEqual({ deploymentId: 'd-9', qualifier: '42' });
    expect(parsePointer('d-1')).toEqual({ deploymentId: 'd-1' });
  });

  it('accepts DNS-label fragments only, and refuses "--" in aliases and project names', () => {
    for (const ok of ['feature-x', 'a', '1', 'pr-12']) expect(v.is(PreviewAlias, ok), ok).toBe(true);
    for (const bad of ['', '-x', 'x-', 'a--b', 'Feature', 'a_b', 'a.b', 'a'.repeat(59)]) expect(v.is(PreviewAlias, bad), bad).toBe(false);
    expect(v.is(ProjectName, 'my-app')).toBe(true);
    expect(v.is(ProjectName, 'my--app')).toBe(false);
  });

  it('keeps <project>--<alias> within 63 characters', () => {
    const project = 'p'.repeat(40);
    expect(previewTooLong(project, 'a'.repeat(21))).toBeUndefined();
    expect(previewTooLong(project, 'a'.repeat(22))).toMatch(/at most 63 characters, so the alias may have at most 21/);
  });

  it('derives an alias from a branch name that fits the label', () => {
    expect(previewAliasFromBranch('hello', 'refs/heads/feature/Login_Page')).toBe('feature-login-page');
    expect(previewAliasFromBranch('hello', '--x--y--')).toBe('x-y');
    expect(previewAliasFromBranch('hello', '___')).toBeUndefined();
    const long = previewAliasFromBranch('p'.repeat(40), `feature/${'b'.repeat(80)}`);
    expect(previewLabel('p'.repeat(40), long as string).length).toBeLessThanOrEqual(63);
  });

  it('reads the deployment qualifier from the described stack, and refuses a stack without one', () => {
    const state = {
      stack: {
        status: 'UPDATE_COMPLETE',
        described: {
          Outputs: [
            { OutputKey: 'Other', OutputValue: 'x' },
            { OutputKey: 'DeploymentVersion', OutputValue: '12' },
          ],
        },
      },
    };
    expect(deploymentQualifier(state)).toBe('12');
    // A stack created from the earlier template (updates keep it) names the same version PreviewVersion.
    const earlier = { stack: { described: { Outputs: [{ OutputKey: 'PreviewVersion', OutputValue: '9' }] } } };
    expect(deploymentQualifier(earlier)).toBe('9');
    const both = {
      stack: { described: { Outputs: [{ OutputKey: 'PreviewVersion', OutputValue: '9' }, ...state.stack.described.Outputs] } },
    };
    expect(deploymentQualifier(both)).toBe('12');
    expect(() => deploymentQualifier({ stack: { status: 'UPDATE_COMPLETE', described: {} } })).toThrow(/DeploymentVersion/);
    expect(() => deploymentQualifier({})).toThrow(/DeploymentVersion/);
  });

  it('takes the output only while the described stack runs the deployment; otherwise the version an earlier release recorded', () => {
    const running = (deploymentId: string) => ({
      stack: {
        described: {
          Parameters: [{ ParameterKey: 'DeploymentId', ParameterValue: deploymentId }],
          Outputs: [{ OutputKey: 'DeploymentVersion', OutputValue: '12' }],
        },
      },
    });
    expect(deploymentQualifier({ deploymentId: 'd-a', ...running('d-a') }, '7')).toBe('12');
    // The stack runs another deployment: its output is that one's version, never this one's.
    expect(deploymentQualifier({ deploymentId: 'd-a', ...running('d-b') }, '7')).toBe('7');
    expect(() => deploymentQualifier({ deploymentId: 'd-a', ...running('d-b') })).toThrow(/no earlier release recorded one/);
    expect(() => deploymentQualifier({ deploymentId: 'd-a', ...running('d-b') }, 'not a version!')).toThrow(/DeploymentVersion/);
  });

  it('a second preview of the same alias replaces the pointer in the route cache; production is untouched', async () => {
    const cache = new FileRouteCache(mkdtempSync(join(tmpdir(), 'slipway-preview-rc-')));
    await cache.putMany({ [liveKey('hello')]: pointerValue('d-1', 'd-1'), [previewKey('hello', 'feature-x')]: pointerValue('d-2', 'd-2') });
    await cache.putMany({ [previewKey('hello', 'feature-x')]: pointerValue('d-3', 'd-3') });
    expect(cache.getSync(previewKey('hello', 'feature-x'))).toBe('d-3@d-3');
    expect(cache.getSync(liveKey('hello'))).toBe('d-1@d-1');
    await cache.deleteMany([previewKey('hello', 'feature-x')]);
    expect(cache.getSync(previewKey('hello', 'feature-x'))).toBeUndefined();
    expect(cache.getSync(liveKey('hello'))).toBe('d-1@d-1');
  });
});
