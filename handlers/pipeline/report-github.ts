import * as v from 'valibot';
import { tenantUrl } from '../lib/tenant-url.js';
import { installationClient } from '../lib/github/client.js';
import { reportToGithub } from '../lib/github/report.js';
import { GithubSource, githubSourceUri } from '../lib/github/source-ref.js';
import { instrumented } from '../lib/observability.js';
import { openState } from './state.js';

/** The step passes the whole state and which point of the workflow it reports. */
const ReportInput = v.object({
  phase: v.picklist(['start', 'live', 'failure']),
  state: v.looseObject({
    github: GithubSource,
    preview: v.optional(v.string()),
    githubReport: v.optional(v.looseObject({ githubDeploymentId: v.optional(v.number()) })),
    failure: v.optional(v.looseObject({ state: v.optional(v.string()) })),
  }),
});

/** A deployment's public URL: the project's, or `<project>--<alias>` for a preview. */
export function deploymentUrl(project: string, preview?: string): string | undefined {
  return tenantUrl(preview ? `${project}--${preview}` : project);
}

/**
 * Reports a GitHub-sourced deployment back to GitHub (commit status + GitHub Deployment). Never
 * throws: a refused ticket, a missing App or GitHub being down is logged (without the request, so
 * without the token) and the deployment goes on.
 */
async function reportGithub(event: unknown): Promise<{ githubDeploymentId?: number; errors?: string[] }> {
  try {
    const input = v.parse(ReportInput, event);
    const { claims } = await openState(event, 'build-deploy');
    const { github, preview } = input.state;
    if (claims.src !== githubSourceUri(github)) throw new Error('the execution input names a GitHub source its ticket was not issued for');
    const project = claims.project;
    const url = deploymentUrl(project, preview);
    const result = await reportToGithub(await installationClient(github.installationId), input.phase, {
      project,
      github,
      ...(preview ? { preview } : {}),
      ...(url ? { url } : {}),
      ...(input.state.githubReport?.githubDeploymentId !== undefined
        ? { githubDeploymentId: input.state.githubReport.githubDeploymentId }
        : {}),
      ...(input.state.failure?.state ? { failedState: input.state.failure.state } : {}),
    });
    if (result.errors.length) console.warn('slipway report-github: some calls failed', result.errors);
    return result.githubDeploymentId !== undefined
      ? { githubDeploymentId: result.githubDeploymentId, errors: result.errors }
      : { errors: result.errors };
  } catch (error) {
    const message = error instanceof v.ValiError ? `input is invalid: ${error.message}` : (error as Error).message;
    console.warn('slipway report-github: not reported:', message);
    return { errors: [message] };
  }
}

export const handler = instrumented('report-github', reportGithub);
