/** Small formatting shared by the project pages: what a deployment was made from, how long it took. */

interface DeploymentSource {
  commit?: string;
  preview?: string;
  github?: { repository: string; commit: string };
}

/** How a deployment's source reads in a list, and where it links when it is a GitHub commit. */
export function sourceOf(deployment: DeploymentSource): { label: string; href?: string } {
  if (deployment.github) {
    const { repository, commit } = deployment.github;
    const pr = /^pr-(\d+)$/.exec(deployment.preview ?? '');
    const where = pr ? `PR #${pr[1]}` : deployment.preview ? `branch ${deployment.preview}` : repository;
    return {
      label: `${where} @ ${commit.slice(0, 7)}`,
      href: pr ? `https://github.com/${repository}/pull/${pr[1]}` : `https://github.com/${repository}/commit/${commit}`,
    };
  }
  return { label: deployment.commit ? `upload @ ${deployment.commit.slice(0, 7)}` : 'upload' };
}

/** Milliseconds between two ISO times, or undefined when one is missing. */
export function millisBetween(from: string | undefined, to: string | undefined): number | undefined {
  if (!from || !to) return undefined;
  const ms = Date.parse(to) - Date.parse(from);
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined) return '—';
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${seconds % 60} s`;
}

export function formatTime(iso: string | undefined): string {
  return iso ? new Date(iso).toLocaleString() : '—';
}
