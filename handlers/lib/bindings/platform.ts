import { AsyncLocalStorage } from 'node:async_hooks';
import type { Platform } from './types.js';

/**
 * Which platform a handler serves. Locally each platform runs its API requests, edge requests and
 * workflow tasks inside `runInPlatform`, so several platforms share one process; a Lambda holds one
 * platform, bound for the whole process by its bundle's entry (infra/aws/runtime) before the
 * handler loads. Outside any run, the process's platform answers.
 */
const running = new AsyncLocalStorage<Partial<Platform>>();
let processPlatform: Partial<Platform> = {};

/**
 * Adds bindings to the process's platform. Each call makes a new object, so whatever is cached per
 * platform (secrets read once, keys) starts afresh for what is bound next.
 */
export function bindPlatform(parts: Partial<Platform>): void {
  processPlatform = { ...processPlatform, ...parts };
}

/**
 * Makes `platform` itself the process's platform: for a process that holds one whole platform
 * (the test harnesses), which then may change a setting of it in place.
 */
export function useProcessPlatform(platform: Platform): void {
  processPlatform = platform;
}

/** Runs `work` (and everything it starts) as a handler of `platform`. */
export function runInPlatform<T>(platform: Platform, work: () => T): T {
  return running.run(platform, work);
}

/** The platform the caller runs in; what it holds is only what its entry point bound. */
export function currentPlatform(): Partial<Platform> {
  return running.getStore() ?? processPlatform;
}

/** One binding of the current platform; `missing` is the error when nothing bound it. */
export function bound<K extends keyof Platform>(key: K, missing: string): NonNullable<Platform[K]> {
  const value = currentPlatform()[key];
  if (value === undefined) throw new Error(missing);
  return value as NonNullable<Platform[K]>;
}
