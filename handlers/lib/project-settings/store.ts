import type { ProjectSettings, SettingsPatch } from './schemas.js';
import {
  deleteEnvItem,
  getRuntimeEnvItem,
  getSettingsItem,
  putEnvItem,
  putRuntimeEnvItem,
  queryEnvItems,
  updateSettingsItem,
  type EnvItem,
} from '../table/project-settings.js';
import {
  deleteDomainClaim,
  deleteDomainItem,
  getDomainClaimHolder,
  putDomainClaim,
  putDomainItem,
  queryDomainItems,
  type DomainItem,
} from '../table/domains.js';

/**
 * A project's settings, variables, runtime snapshots and custom domains, over their items in the
 * table module (handlers/lib/table/project-settings.ts and domains.ts).
 */

export type { DomainItem, EnvItem };
export type { RuntimeVariable } from '../table/project-settings.js';

/** The associated data of a sealed secret: it opens only for this project and name. */
export const secretContext = (project: string, key: string) => `${project}/${key}`;

export const getSettings = getSettingsItem;

/** Sets the given fields and removes the null ones; the settings after the change. */
export async function updateSettings(project: string, patch: SettingsPatch, by: string): Promise<ProjectSettings> {
  await updateSettingsItem(project, patch, by, new Date().toISOString());
  return getSettings(project);
}

export async function listEnv(project: string): Promise<EnvItem[]> {
  return (await queryEnvItems(project)).sort((a, b) => a.key.localeCompare(b.key));
}

export const putEnv = putEnvItem;
/** False when there was no such variable. */
export const deleteEnv = deleteEnvItem;

export const putRuntimeSnapshot = putRuntimeEnvItem;
export const getRuntimeSnapshot = getRuntimeEnvItem;

export async function listDomains(project: string): Promise<DomainItem[]> {
  return (await queryDomainItems(project)).sort((a, b) => a.domain.localeCompare(b.domain));
}

/**
 * Claims the host for the project (a conditional put on the global `DOMAIN#<host>` item, so two
 * projects cannot both hold it), then records it under the project. The project of an existing
 * claim, when the host is taken.
 */
export async function claimDomain(item: DomainItem): Promise<{ ok: true } | { ok: false; heldBy: string }> {
  if (!(await putDomainClaim(item))) return { ok: false, heldBy: (await getDomainClaimHolder(item.domain)) ?? 'another project' };
  try {
    await putDomainItem(item);
  } catch (error) {
    await releaseDomainClaim(item.domain, item.project);
    throw error;
  }
  return { ok: true };
}

/** Removes the project's record, then its claim; false when the project did not hold the host. */
export async function removeDomain(project: string, domain: string): Promise<boolean> {
  if (!(await deleteDomainItem(project, domain))) return false;
  await releaseDomainClaim(domain, project);
  return true;
}

/** Deletes the global claim only if this project holds it. */
export const releaseDomainClaim = deleteDomainClaim;
