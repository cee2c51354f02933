/**
 * Loaded by the build runner with `NODE_OPTIONS="--import <dist>/buildrunner/adapter/register.js"`
 * around an app's own build command: installs the resolve hook that swaps any SvelteKit adapter for
 * Slipway's (dist/buildrunner/adapter/index.js). The app's files are not edited.
 */
import { register } from 'node:module';

register('./resolve-hook.js', import.meta.url);
