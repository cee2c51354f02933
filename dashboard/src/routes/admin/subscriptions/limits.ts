import type { paths } from '$lib/api/schema';

type Body = NonNullable<paths['/admin/subscriptions/{subscription}']['put']['requestBody']>['content']['application/json'];
export type Limits = Body['limits'];
export type LimitName = keyof Limits;

/** Each limit as an operator reads it, in the order the form shows them. */
export const LIMIT_TITLES: Record<LimitName, string> = {
  projectsPerUser: 'Projects per user',
  buildsPerDay: 'Builds per day',
  deploymentsPerDay: 'Deployments per day',
  concurrentBuilds: 'Concurrent builds',
  buildTimeoutSeconds: 'Build timeout (seconds)',
  customDomainsPerProject: 'Custom domains per project',
  prerenderedRoutesPerDeployment: 'Prerendered routes per deployment',
  clientStorageBytes: 'Client assets',
  prerenderedStorageBytes: 'Prerendered pages',
  serverStorageBytes: 'Server bundle',
  functionMemoryMb: 'Function memory (MB)',
  functionTimeoutSeconds: 'Function timeout (seconds)',
};
export const LIMIT_NAMES = Object.keys(LIMIT_TITLES) as LimitName[];

/** A limit's label in the form, where it is entered as a plain number: its unit when the title does not say it. */
export const inputTitle = (name: LimitName): string => (name.endsWith('Bytes') ? `${LIMIT_TITLES[name]} (bytes)` : LIMIT_TITLES[name]);

/** A byte count as a person reads it, beside the exact number. */
export function readable(name: LimitName, value: number): string {
  if (!name.endsWith('Bytes')) return value.toLocaleString('en');
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let scaled = value;
  let unit = 0;
  while (scaled >= 1024 && unit < units.length - 1) {
    scaled /= 1024;
    unit++;
  }
  return `${Number.isInteger(scaled) ? scaled : scaled.toFixed(1)} ${units[unit]}`;
}
