import { dailyUsage, liveSlotMembers } from './counters.js';
import { buildStillRuns, projectHeldBy } from './enforce.js';

export interface Usage {
  projects: number;
  buildsToday: number;
  deploymentsToday: number;
  concurrentBuilds: number;
}

/** A user's current usage of the counted limits (stale slots are dropped on the way). */
export async function usageOf(login: string): Promise<Usage> {
  const [daily, projects, builds] = await Promise.all([
    dailyUsage(login),
    liveSlotMembers(login, 'PROJECTS', projectHeldBy(login)),
    liveSlotMembers(login, 'BUILDS', buildStillRuns),
  ]);
  return { projects: projects.length, buildsToday: daily.builds, deploymentsToday: daily.deployments, concurrentBuilds: builds.length };
}
