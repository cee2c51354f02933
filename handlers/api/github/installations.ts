import { ApiError } from '../errors.js';
import { installationsOwnedBy } from '../../lib/table/github-installations.js';

/** Repositories `login` may link: those its active installations grant, each with the installation. */
export async function linkableRepositories(login: string): Promise<{ repository: string; installationId: number }[]> {
  const seen = new Map<string, number>();
  for (const grant of await installationsOwnedBy(login)) {
    if (grant.suspended) continue;
    for (const repository of grant.repositories) if (!seen.has(repository)) seen.set(repository, grant.installationId);
  }
  return [...seen]
    .map(([repository, installationId]) => ({ repository, installationId }))
    .sort((a, b) => a.repository.localeCompare(b.repository));
}

/**
 * 403 naming body.repository unless an installation owned by `login` grants the repository:
 * otherwise anyone could deploy (and read, through the build) a repository the App was
 * installed on by someone else. Checked when a project is created with a repository and when one is linked.
 */
export async function requireGrantedRepository(login: string, repository: string): Promise<void> {
  const granted = await linkableRepositories(login);
  if (!granted.some((g) => g.repository === repository.toLowerCase())) {
    throw new ApiError(
      'Forbidden',
      `body.repository ${repository} is not granted to ${login} by any installation of the GitHub App`,
      'body.repository',
    );
  }
}
