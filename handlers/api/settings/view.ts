import type { EnvItem } from '../../lib/project-settings/store.js';

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
