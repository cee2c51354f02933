import { ADMIN_USER } from '../identity/caller.js';
import * as v from 'valibot';
import { BUILT_IN_SUBSCRIPTIONS, DEFAULT_SUBSCRIPTION, type Limits, OPERATOR_SUBSCRIPTION } from '../../lib/limits.js';
import {
  getStoredSubscription,
  putStoredSubscription,
  type StoredSubscription,
  scanStoredSubscriptions,
} from '../../lib/table/subscriptions.js';
import { getUserSubscriptionName, setUserSubscriptionName } from '../../lib/table/users.js';

/** Subscription names: short lowercase labels, used in keys and messages. */
export const SubscriptionName = v.pipe(
  v.string('must be a string'),
  v.regex(/^[a-z][a-z0-9-]{0,30}[a-z0-9]$/, 'must be 2–32 characters of a–z, 0–9 and "-", starting with a letter'),
);

export interface Subscription {
  name: string;
  limits: Limits;
  /** `built-in` until an admin stores the subscription; then `stored`. */
  origin: 'built-in' | 'stored';
  updatedAt?: string;
  updatedBy?: string;
}

function stored({ name, limits, ...updated }: StoredSubscription): Subscription {
  return { name, limits, origin: 'stored', ...updated };
}

function builtIn(name: string): Subscription | undefined {
  const limits = BUILT_IN_SUBSCRIPTIONS[name];
  return limits ? { name, limits: { ...limits }, origin: 'built-in' } : undefined;
}

/** A stored subscription, else the built-in one of that name, else undefined. */
export async function getSubscription(name: string): Promise<Subscription | undefined> {
  const item = await getStoredSubscription(name);
  // A stored item that no longer parses (e.g. a limit added since) falls back to the built-in one.
  return (item && stored(item)) ?? builtIn(name);
}

/** Every subscription: the stored ones, plus the built-in ones no item overrides. */
export async function listSubscriptions(): Promise<Subscription[]> {
  const byName = new Map<string, Subscription>();
  for (const item of await scanStoredSubscriptions()) byName.set(item.name, stored(item));
  for (const name of Object.keys(BUILT_IN_SUBSCRIPTIONS)) if (!byName.has(name)) byName.set(name, builtIn(name) as Subscription);
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** Creates or replaces a subscription (a whole set of limits: no partial update). */
export async function putSubscription(name: string, limits: Limits, by: string): Promise<Subscription> {
  const updatedAt = new Date().toISOString();
  await putStoredSubscription({ name, limits, updatedAt, updatedBy: by });
  return { name, limits, origin: 'stored', updatedAt, updatedBy: by };
}

/** The name of a user's subscription (the `subscription` attribute of the user item), or the default. */
export async function userSubscriptionName(login: string): Promise<string> {
  const assigned = await getUserSubscriptionName(login);
  if (assigned !== undefined) return assigned;
  return login === ADMIN_USER ? OPERATOR_SUBSCRIPTION : DEFAULT_SUBSCRIPTION;
}

/**
 * The subscription whose limits apply to a user. A name that no longer resolves (its item was
 * removed and it is not built in) falls back to the default, so a user is never left unlimited.
 */
export async function subscriptionOf(login: string): Promise<Subscription> {
  const name = await userSubscriptionName(login);
  return (await getSubscription(name)) ?? ((await getSubscription(DEFAULT_SUBSCRIPTION)) as Subscription);
}

/**
 * Assigns a subscription to a user. The user item belongs to identity; this writes only the
 * `subscription` attribute (and `createdAt` when the item is new).
 */
export async function setUserSubscription(login: string, name: string, by: string): Promise<void> {
  await setUserSubscriptionName(login, name, by, new Date().toISOString());
}
