import { bindRouteCache } from '../../../handlers/lib/bindings/bound.js';
import { awsRouteCache } from './route-cache.js';

/**
 * Imported first by the bundle of every Lambda that writes the route cache (`handlerFunction`'s
 * `binds: ['route-cache']`): binds the KeyValueStore before the handler loads. A separate module,
 * so only those bundles carry the KeyValueStore client and its SigV4A signer.
 */
bindRouteCache(awsRouteCache());
