/**
 * A value loaded once and kept, unless loading failed: the next call tries again, so a secret
 * that was missing at cold start is picked up once it exists.
 */
export function cachedUntilFailure<T>(load: () => Promise<T>): { get(): Promise<T>; forget(): void } {
  let cached: Promise<T> | undefined;
  return {
    get() {
      cached ??= load().catch((error: unknown) => {
        cached = undefined;
        throw error;
      });
      return cached;
    },
    forget() {
      cached = undefined;
    },
  };
}
