import {
  changeInstallationRepositories,
  deleteInstallation,
  putInstallation,
  setInstallationSuspended,
} from '../../lib/table/github-installations.js';
import type { InstallationPayload, InstallationRepositoriesPayload } from './payloads.js';

const names = (list: { full_name: string }[] | undefined) => (list ?? []).map((r) => r.full_name);

/** `installation`: keeps which account owns an installation and what it grants. */
export async function handleInstallation(
  event: InstallationPayload,
): Promise<{ installation: number; action: string } | { ignored: string }> {
  const { id, account } = event.installation;
  switch (event.action) {
    case 'created':
      await putInstallation(id, account.login, names(event.repositories));
      break;
    case 'deleted':
      await deleteInstallation(id);
      break;
    case 'suspend':
      await setInstallationSuspended(id, true);
      break;
    case 'unsuspend':
      await setInstallationSuspended(id, false);
      break;
    default:
      return { ignored: `installation action ${event.action}` };
  }
  return { installation: id, action: event.action };
}

/** `installation_repositories`: repositories added to or removed from an installation. */
export async function handleInstallationRepositories(
  event: InstallationRepositoriesPayload,
): Promise<{ installation: number; action: string } | { ignored: string }> {
  if (event.action !== 'added' && event.action !== 'removed') return { ignored: `installation_repositories action ${event.action}` };
  const { id, account } = event.installation;
  await changeInstallationRepositories(id, account.login, names(event.repositories_added), names(event.repositories_removed));
  return { installation: id, action: event.action };
}
