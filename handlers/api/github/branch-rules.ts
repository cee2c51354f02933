import { createHash } from 'node:crypto';

/**
 * Which deployments a push asks for: pure, so every rule is unit-tested without storage.
 * A push to a project's production branch (its `productionBranch`, else the repository's default
 * branch) is a production deployment; a push to any other branch is a preview deployment with
 * its own alias, reached later at `https://<project>--<alias>.<domain>`.
 */

export interface PushFacts {
  ref: string;
  /** The commit the ref points to after the push. */
  after: string;
  deleted: boolean;
  defaultBranch: string;
}

export interface LinkedProject {
  name: string;
  status: string;
  productionBranch?: string;
}

export type PushDecision =
  | { project: string; kind: 'production'; branch: string; commit: string }
  | { project: string; kind: 'preview'; alias: string; branch: string; commit: string };

export type PushOutcome = { ignored: string } | { decisions: PushDecision[]; skipped: { project: string; reason: string }[] };

/** Longest preview alias. */
export const MAX_ALIAS_LENGTH = 30;
/** A DNS label holds at most 63 characters; `<project>--<alias>` must fit in one. */
const MAX_LABEL_LENGTH = 63;
const FALLBACK_ALIAS = 'preview';

/**
 * A DNS-label-safe alias for a branch: lowercase a–z/0–9 with single dashes, no dash at either
 * end, at most 30 characters and short enough that `<project>--<alias>` is still one DNS label.
 * A name that had to be cut gets a short hash of the full branch name, so two long branches
 * sharing a prefix keep apart. Nothing left (e.g. `!!!`) → `preview`.
 */
export function previewAlias(branch: string, project = ''): string {
  const max = Math.min(MAX_ALIAS_LENGTH, MAX_LABEL_LENGTH - project.length - 2);
  const clean = branch
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (!clean) return FALLBACK_ALIAS;
  if (clean.length <= max) return clean;
  const hash = createHash('sha256').update(branch).digest('hex').slice(0, 6);
  const head = clean.slice(0, Math.max(0, max - hash.length - 1)).replace(/-+$/, '');
  return head ? `${head}-${hash}` : hash;
}

const BRANCH_PREFIX = 'refs/heads/';

/** The branch a push updated, or why the push deploys nothing whatever projects are linked. */
export function pushedBranch(push: PushFacts): { branch: string } | { ignored: string } {
  if (push.ref.startsWith('refs/tags/')) return { ignored: 'tag push' };
  if (!push.ref.startsWith(BRANCH_PREFIX) || push.ref.length === BRANCH_PREFIX.length)
    return { ignored: `ref ${push.ref} is not a branch` };
  if (push.deleted) return { ignored: 'branch deletion' };
  return { branch: push.ref.slice(BRANCH_PREFIX.length) };
}

/** The decisions for one push to a repository, given the projects linked to it. */
export function decidePush(push: PushFacts, projects: LinkedProject[]): PushOutcome {
  const pushed = pushedBranch(push);
  if ('ignored' in pushed) return pushed;
  const { branch } = pushed;
  const decisions: PushDecision[] = [];
  const skipped: { project: string; reason: string }[] = [];
  for (const project of projects) {
    if (project.status !== 'READY') {
      skipped.push({ project: project.name, reason: `project is ${project.status}, not READY` });
      continue;
    }
    const production = project.productionBranch ?? push.defaultBranch;
    decisions.push(
      branch === production
        ? { project: project.name, kind: 'production', branch, commit: push.after }
        : { project: project.name, kind: 'preview', alias: previewAlias(branch, project.name), branch, commit: push.after },
    );
  }
  return { decisions, skipped };
}
