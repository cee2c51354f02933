import { bindPlatform } from '../../../handlers/lib/bindings/platform.js';
import { awsPlatformSettings } from './platform-settings.js';

/**
 * Imported first by the bundle of every Lambda: binds the plain settings CDK put in the function's
 * environment (storage names, URLs, the router's origin secret). No SDK client, so the router's
 * bundle stays small.
 */
bindPlatform(awsPlatformSettings());
