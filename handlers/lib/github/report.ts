import type { Octokit } from '@octokit/rest';
import { splitRepository } from './client.js';
import type { GithubSource } from './source-ref.js';

/** Where a deployment stands, as GitHub is told it. */
export type ReportPhase = 'start' | 'live' | 'failure';

export interface ReportRequest {
  project: string;
  github: GithubSource;
  /** Preview alias; absent for a production deployment. */
  preview?: string;
  /** The deployment's public URL, once known. */
  url?: string;
  /** The GitHub Deployment made at start, when that call succeeded. */
  githubDeploymentId?: number;
  /** The failing state, on failure. */
  failedState?: string;
}

const COMMIT_STATE = { start: 'pending', live: 'success', failure: 'failure' } as const;
const DEPLOYMENT_STATE = { start: 'in_progress', live: 'success', failure: 'failure' } as const;

export function githubEnvironment(preview?: string): string {
  return preview ? `preview/${preview}` : 'production';
}

function description(phase: ReportPhase, request: ReportRequest): string {
  if (phase === 'start') return 'Slipway is building this commit';
  if (phase === 'live') return request.preview ? `Preview ${request.preview} is live` : 'Live in production';
  return `Deployment failed${request.failedState ? ` in ${request.failedState}` : ''}`.slice(0, 140);
}

/**
 * Tells GitHub how a deployment goes: a commit status (context `slipway/<project>`) and a GitHub
 * Deployment with its statuses, so the commit and its pull request show it. Each call is tried on
 * its own; the errors are returned (never thrown): reporting must not fail a deployment.
 */
export async function reportToGithub(
  client: Octokit,
  phase: ReportPhase,
  request: ReportRequest,
): Promise<{ githubDeploymentId?: number; errors: string[] }> {
  const { owner, repo } = splitRepository(request.github.repository);
  const errors: string[] = [];
  const attempt = async <T>(what: string, call: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await call();
    } catch (error) {
      const status = (error as { status?: number }).status;
      errors.push(`${what}: ${status ? `HTTP ${status}` : (error as Error).message}`);
      return undefined;
    }
  };
  await attempt('commit status', () =>
    client.rest.repos.createCommitStatus({
      owner,
      repo,
      sha: request.github.commit,
      state: COMMIT_STATE[phase],
      context: `slipway/${request.project}`,
      description: description(phase, request),
      ...(phase === 'live' && request.url ? { target_url: request.url } : {}),
    }),
  );
  let githubDeploymentId = request.githubDeploymentId;
  if (githubDeploymentId === undefined) {
    const created = await attempt('deployment', () =>
      client.rest.repos.createDeployment({
        owner,
        repo,
        ref: request.github.commit,
        environment: githubEnvironment(request.preview),
        description: `slipway/${request.project}`,
        auto_merge: false,
        required_contexts: [],
        transient_environment: Boolean(request.preview),
        production_environment: !request.preview,
      }),
    );
    const data = created?.data as { id?: number } | undefined;
    githubDeploymentId = typeof data?.id === 'number' ? data.id : undefined;
  }
  if (githubDeploymentId !== undefined) {
    const id = githubDeploymentId;
    await attempt('deployment status', () =>
      client.rest.repos.createDeploymentStatus({
        owner,
        repo,
        deployment_id: id,
        state: DEPLOYMENT_STATE[phase],
        description: description(phase, request),
        ...(phase === 'live' && request.url ? { environment_url: request.url } : {}),
      }),
    );
  }
  return { ...(githubDeploymentId !== undefined ? { githubDeploymentId } : {}), errors };
}
