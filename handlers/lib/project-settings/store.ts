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
  markDomainVerified,
  putDomainClaim,
  putDomainItem,
  queryDomainItems,
  setDomainTokenIfMissing,
  type DomainItem,
} from '../table/domains.js';
import { checkOwnership, newChallengeToken, type ProofCheck } from './domain-proof.js';

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

/**
 * A project's domains by name. A domain recorded before ownership proofs has no token: it gets
 * one here and stays PENDING until its record is seen, like a domain added today.
 */
export async function listDomains(project: string): Promise<DomainItem[]> {
  const items = await Promise.all(
    (await queryDomainItems(project)).map(async (item) => {
      if (item.token !== undefined) return { ...item, token: item.token };
      const token = await setDomainTokenIfMissing(project, item.domain, newChallengeToken());
      return token === undefined ? undefined : { ...item, status: 'PENDING' as const, token };
    }),
  );
  return items.filter((item) => item !== undefined).sort((a, b) => a.domain.localeCompare(b.domain));
}

/**
 * Looks up a PENDING domain's challenge record and marks it VERIFIED when it holds the token; a
 * VERIFIED domain stays so. The domain as it is after the check, and what is missing if unproven.
 */
export async function verifyDomain(item: DomainItem): Promise<{ item: DomainItem; check: ProofCheck }> {
  if (item.status === 'VERIFIED') return { item, check: { proven: true } };
  const check = await checkOwnership(item.domain, item.token);
  if (!check.proven) return { item, check };
  const verifiedAt = new Date().toISOString();
  // The global claim first (a conditional put): of two projects proving one domain, one holds it.
  if (!(await putDomainClaim(item, verifiedAt)))
    return { item, check: { proven: false, problem: `${item.domain} is already used by another project` } };
  if (!(await markDomainVerified(item.project, item.domain, verifiedAt))) {
    await releaseDomainClaim(item.domain, item.project);
    return { item, check: { proven: false, problem: 'the domain was removed meanwhile' } };
  }
  return { item: { ...item, status: 'VERIFIED', verifiedAt }, check };
}

/**
 * Records a PENDING domain under the project, unless another project holds it already (proven).
 * Several projects may have the same domain pending: the first to prove it takes the global claim.
 */
export async function addDomain(item: DomainItem): Promise<{ ok: true } | { ok: false; heldBy: string }> {
  const holder = await getDomainClaimHolder(item.domain);
  if (holder !== undefined && holder !== item.project) return { ok: false, heldBy: holder };
  await putDomainItem(item);
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
