import { DEFAULT_ROUTE_CACHE_PROJECTS, parseRouteCacheProjects } from '../handlers/pipeline/bundle/aws-preflight.js';
import { UsageError } from './usage-error.js';

/**
 * `slipway up --route-cache-projects N`: how many projects the route cache is sized for (default
 * DEFAULT_ROUTE_CACHE_PROJECTS); a bad value is a usage error naming the flag and its bounds.
 */
export function routeCacheProjectsFlag(value: string | undefined): number {
  try {
    return parseRouteCacheProjects(value, '--route-cache-projects') ?? DEFAULT_ROUTE_CACHE_PROJECTS;
  } catch (error) {
    const { message } = (JSON.parse((error as Error).message) as { error: { message: string } }).error;
    throw new UsageError(message);
  }
}
