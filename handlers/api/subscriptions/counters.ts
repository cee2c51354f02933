import {
  addDailyCount,
  addSlotMember,
  type DailyCounter,
  getDailyCounts,
  getSlotMembers,
  removeSlotMembers,
  type SlotKind,
  subtractDailyCount,
} from '../../lib/table/usage.js';

/** The UTC day a counter belongs to. */
export function today(now = new Date()): string {
  return now.toISOString().slice(0, 10);
}

/**
 * Counts one more `counter` for today unless it has reached `limit`: true when counted. The item
 * expires (TTL `expiresAt`) two days after its day, so old counters clean themselves up.
 */
export async function countDaily(login: string, counter: DailyCounter, limit: number, now = new Date()): Promise<boolean> {
  const day = today(now);
  const expiresAt = Math.floor(Date.parse(`${day}T00:00:00Z`) / 1000) + 2 * 86_400;
  return addDailyCount(login, day, counter, limit, expiresAt);
}

/** Gives back a count taken by countDaily for a request that then did not start anything. */
export async function uncountDaily(login: string, counter: DailyCounter, now = new Date()): Promise<void> {
  await subtractDailyCount(login, today(now), counter);
}

export async function dailyUsage(login: string, now = new Date()): Promise<Record<DailyCounter, number>> {
  return getDailyCounts(login, today(now));
}

/**
 * Slots: a string set of the things that hold one (`project/deploymentId` for running builds, the
 * project name for projects). Taking a slot is a conditional ADD on the set's size. Nothing ever
 * has to give a slot back for it to be free again: before refusing, the holder checks each member
 * with `stillHolds` (is that build still QUEUED or BUILDING? does that project still exist?) and
 * removes the stale ones, so a build that failed, was cancelled or crashed cannot leak its slot.
 *
 * The members that still hold a slot, after removing the stale ones.
 */
export async function liveSlotMembers(login: string, kind: SlotKind, stillHolds: (member: string) => Promise<boolean>): Promise<string[]> {
  const members = await getSlotMembers(login, kind);
  const holds = await Promise.all(members.map(stillHolds));
  await removeSlotMembers(
    login,
    kind,
    members.filter((_, i) => !holds[i]),
  );
  return members.filter((_, i) => holds[i]);
}

/**
 * Takes a slot for `member`; when full, frees stale slots and tries once more. Resolves to
 * undefined when taken, else the number of slots still held (for the refusal message).
 */
export async function takeSlot(
  login: string,
  kind: SlotKind,
  member: string,
  limit: number,
  stillHolds: (member: string) => Promise<boolean>,
): Promise<number | undefined> {
  if (await addSlotMember(login, kind, member, limit)) return undefined;
  const live = await liveSlotMembers(login, kind, stillHolds);
  if (await addSlotMember(login, kind, member, limit)) return undefined;
  return live.length;
}
