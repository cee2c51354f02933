import { currentPlatform } from './bindings/platform.js';

/**
 * A value loaded once per platform and kept, unless loading failed: the next call tries again, so
 * a secret that was missing at cold start is picked up once it exists. Kept per platform, because
 * two platforms in one process have different secrets.
 */
export function cachedUntilFailure<T>(load: () => Promise<T>): { get(): Promise<T>; forget(): void } {
  const cached = new WeakMap<object, Promise<T>>();
  return {
    get() {
      const platform = currentPlatform();
      let value = cached.get(platform);
      if (!value) {
        value = load().catch((error: unknown) => {
          cached.delete(platform);
          throw error;
        });
        cached.set(platform, value);
      }
      return value;
    },
    forget() {
      cached.delete(currentPlatform());
    },
  };
}
