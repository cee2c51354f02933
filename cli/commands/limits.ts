import { ApiClient } from '../api-client.js';
import { connect } from '../connection.js';
import { printResult } from '../output.js';
import { BUILT_IN_SUBSCRIPTIONS, DEFAULT_SUBSCRIPTION, LIMIT_NAMES, type LimitName, type Limits } from '../../handlers/lib/limits.js';

interface Subscription {
  name: string;
  limits: Limits;
  origin: string;
}

function print(json: boolean, value: unknown, text: string): void {
  printResult(json, value, () => [text.replace(/\n$/, '')]);
}

function limitLines(limits: Limits, usage?: Record<string, number>): string {
  const used: Partial<Record<LimitName, number | undefined>> = usage
    ? {
        projectsPerUser: usage.projects,
        buildsPerDay: usage.buildsToday,
        deploymentsPerDay: usage.deploymentsToday,
        concurrentBuilds: usage.concurrentBuilds,
      }
    : {};
  return LIMIT_NAMES.map(
    (name) => `  ${name.padEnd(32)} ${String(limits[name]).padStart(12)}${used[name] !== undefined ? `   (used ${used[name]})` : ''}\n`,
  ).join('');
}

/** Parses `--limit k=v` flags: each a known limit and a whole number (the API checks the bounds). */
export function parseLimitFlags(flags: readonly string[]): Partial<Limits> {
  const limits: Partial<Limits> = {};
  for (const flag of flags) {
    const match = /^([A-Za-z]+)=(\d+)$/.exec(flag);
    if (!match || !(LIMIT_NAMES as string[]).includes(match[1] as string)) {
      throw new Error(`--limit ${flag}: expected NAME=NUMBER with NAME one of ${LIMIT_NAMES.join(', ')}`);
    }
    limits[match[1] as LimitName] = Number(match[2]);
  }
  return limits;
}

/**
 * `slipway admin subscriptions [--json]` lists subscriptions; `slipway admin subscriptions set NAME
 * --limit k=v ...` stores NAME with those limits over its current ones (or the default's, for a new one).
 */
export async function subscriptionsCommand(args: { set?: string; limits: readonly string[]; json: boolean }): Promise<number> {
  const api = new ApiClient(await connect());
  const { subscriptions } = await api.request<{ subscriptions: Subscription[] }>('GET', '/admin/subscriptions');
  if (args.set === undefined) {
    print(args.json, { subscriptions }, subscriptions.map((s) => `${s.name} (${s.origin})\n${limitLines(s.limits)}`).join('\n'));
    return 0;
  }
  const base = subscriptions.find((s) => s.name === args.set)?.limits ?? (BUILT_IN_SUBSCRIPTIONS[DEFAULT_SUBSCRIPTION] as Limits);
  const limits = { ...base, ...parseLimitFlags(args.limits) };
  const result = await api.request<{ subscription: Subscription }>('PUT', `/admin/subscriptions/${encodeURIComponent(args.set)}`, {
    limits,
  });
  print(args.json, result, `${result.subscription.name} stored\n${limitLines(result.subscription.limits)}`);
  return 0;
}

/** `slipway admin subscription LOGIN NAME [--json]`: gives a user a subscription. */
export async function assignSubscriptionCommand(args: { login: string; subscription: string; json: boolean }): Promise<number> {
  const api = new ApiClient(await connect());
  const result = await api.request<{ user: string; subscription: Subscription }>(
    'PUT',
    `/admin/users/${encodeURIComponent(args.login)}/subscription`,
    {
      subscription: args.subscription,
    },
  );
  print(args.json, result, `${result.user} now has subscription ${result.subscription.name}\n`);
  return 0;
}

/** `slipway limits [--json]`: the caller's subscription, limits and usage. */
export async function limitsCommand(args: { json: boolean }): Promise<number> {
  const api = new ApiClient(await connect());
  const result = await api.request<{ user: string; subscription: string; limits: Limits; usage: Record<string, number> }>(
    'GET',
    '/me/limits',
  );
  print(args.json, result, `${result.user}: subscription ${result.subscription}\n${limitLines(result.limits, result.usage)}`);
  return 0;
}
