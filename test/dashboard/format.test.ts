import { describe, expect, it } from 'vitest';
import { formatDuration, millisBetween, sourceOf } from '../../dashboard/src/lib/components/format.js';

/** How the project pages name a deployment's source and its duration. */
describe('a deployment source as the history shows it', () => {
  const github = { repository: 'acme/shop', commit: '0123456789abcdef0123456789abcdef01234567' };

  it('links a pull request preview to the pull request, a branch preview and production to the commit', () => {
    expect(sourceOf({ preview: 'pr-42', github })).toEqual({ label: 'PR #42 @ 0123456', href: 'https://github.com/acme/shop/pull/42' });
    expect(sourceOf({ preview: 'feature-x', github })).toEqual({
      label: 'branch feature-x @ 0123456',
      href: `https://github.com/acme/shop/commit/${github.commit}`,
    });
    expect(sourceOf({ github })).toEqual({ label: 'acme/shop @ 0123456', href: `https://github.com/acme/shop/commit/${github.commit}` });
  });

  it('names an upload, with the commit the CLI reported when there was one, and links nowhere', () => {
    expect(sourceOf({})).toEqual({ label: 'upload' });
    expect(sourceOf({ commit: 'abcdef0123456789' })).toEqual({ label: 'upload @ abcdef0' });
  });

  it('measures a duration only between two known times, in order', () => {
    expect(millisBetween('2026-01-01T00:00:00.000Z', '2026-01-01T00:01:05.000Z')).toBe(65_000);
    expect(millisBetween('2026-01-01T00:00:00.000Z', undefined)).toBeUndefined();
    expect(millisBetween('2026-01-01T00:01:00.000Z', '2026-01-01T00:00:00.000Z')).toBeUndefined();
    expect(formatDuration(65_000)).toBe('1 min 5 s');
    expect(formatDuration(27_400)).toBe('27 s');
    expect(formatDuration(undefined)).toBe('—');
  });
});
