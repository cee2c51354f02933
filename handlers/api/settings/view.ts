import type { DomainItem, EnvItem } from '../../lib/project-settings/store.js';
import { challengeRecord } from '../../lib/project-settings/domain-proof.js';
import type { CertificateView } from './certificate.js';

/** A variable as the API shows it: a secret's value never leaves the store, only its name. */
export function envView(item: EnvItem): {
  key: string;
  target: string;
  secret: boolean;
  value?: string;
  updatedAt: string;
  updatedBy: string;
} {
  const { key, target, secret, updatedAt, updatedBy } = item;
  return secret ? { key, target, secret, updatedAt, updatedBy } : { key, target, secret, value: item.value ?? '', updatedAt, updatedBy };
}

/** A domain as the API shows it: its status, the TXT record that proves it and its certificate's state. */
export function domainView(
  item: DomainItem,
  certificate: CertificateView,
): {
  domain: string;
  project: string;
  status: DomainItem['status'];
  verification: ReturnType<typeof challengeRecord>;
  createdAt: string;
  createdBy: string;
  verifiedAt?: string;
  certificate: CertificateView;
} {
  const { domain, project, status, token, createdAt, createdBy, verifiedAt } = item;
  return {
    domain,
    project,
    status,
    verification: challengeRecord(domain, token),
    createdAt,
    createdBy,
    ...(verifiedAt ? { verifiedAt } : {}),
    certificate,
  };
}
