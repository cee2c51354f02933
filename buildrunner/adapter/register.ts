/**
 * Loaded by the build runner with `NODE_OPTIONS="--import <dist>/buildrunner/adapter/register.js"`
 * around an app's own build command: installs the resolve hook that swaps any SvelteKit adapter for
 * Slipway's (dist/buildrunner/adapter/index.js). The app's files are not edited.
 */
import { register } from 'node:module';

// SvelteKit 3 (made for Node 22) uses Promise.withResolvers in its build; Node 20 lacks it. The
// build image runs Node 22; this lets the same build run on a Node 20 machine in local mode.
if (typeof (Promise as { withResolvers?: unknown }).withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    value<T>(this: PromiseConstructor) {
      let resolve!: (value: T | PromiseLike<T>) => void;
      let reject!: (reason?: unknown) => void;
      const promise = new this<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}

register('./resolve-hook.js', import.meta.url);
