import * as v from 'valibot';
import { PREVIEW_ALIAS_PATTERN } from '../lib/names.js';
import { tenantUrl } from '../lib/tenant-url.js';

/**
 * Preview aliases: a preview deployment answers at `<project>--<alias>.<domain>`. Project names
 * never contain `--` (handlers/lib/names.ts), so the first `--` of a host's label splits it
 * unambiguously; the alias itself has no `--` either, so the label reads the same both ways.
 */
export const PREVIEW_SEPARATOR = '--';
/** A DNS label is at most 63 characters. */
export const MAX_LABEL_LENGTH = 63;
/** With the shortest project name (3), `<project>--<alias>` leaves the alias 58 characters. */
export const MAX_PREVIEW_ALIAS_LENGTH = MAX_LABEL_LENGTH - 3 - PREVIEW_SEPARATOR.length;

export const PreviewAlias = v.pipe(
  v.string('must be a string'),
  v.minLength(1, 'must not be empty'),
  v.maxLength(MAX_PREVIEW_ALIAS_LENGTH, `must be at most ${MAX_PREVIEW_ALIAS_LENGTH} characters`),
  v.regex(PREVIEW_ALIAS_PATTERN, 'must be a DNS label fragment: a–z, 0–9 and single "-", not starting or ending with "-"'),
);

/** The host label a project's preview answers at. */
export function previewLabel(project: string, alias: string): string {
  return `${project}${PREVIEW_SEPARATOR}${alias}`;
}

/** A preview's URL: the tenant URL template with the host label `<project>--<alias>`. */
export function previewUrl(project: string, alias: string): string | undefined {
  return tenantUrl(previewLabel(project, alias));
}

/** Why `<project>--<alias>` would not be a DNS label, or undefined when it is. */
export function previewTooLong(project: string, alias: string): string | undefined {
  const length = previewLabel(project, alias).length;
  if (length <= MAX_LABEL_LENGTH) return undefined;
  return `is too long for project ${project}: "${project}--<alias>" must stay a DNS label of at most ${MAX_LABEL_LENGTH} characters, so the alias may have at most ${MAX_LABEL_LENGTH - project.length - PREVIEW_SEPARATOR.length}`;
}

/**
 * A preview alias from a git branch name (for pushes to non-production branches):
 * `feature/Login_Page` -> `feature-login-page`, cut so `<project>--<alias>` fits a DNS label.
 * Undefined when nothing usable is left.
 */
export function previewAliasFromBranch(project: string, branch: string): string | undefined {
  const room = MAX_LABEL_LENGTH - project.length - PREVIEW_SEPARATOR.length;
  const alias = branch
    .replace(/^refs\/heads\//, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/-+/g, '-')
    .slice(0, room)
    .replace(/^-+|-+$/g, '');
  return alias.length > 0 && PREVIEW_ALIAS_PATTERN.test(alias) ? alias : undefined;
}
