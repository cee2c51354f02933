import { bindRouteCache, bindSecretSource } from '../../handlers/lib/bindings/bound.js';
import { localRouteCache } from '../../infra/local/bindings/route-cache.js';
import { localSecretSource } from '../../infra/local/bindings/secret-source.js';

// The harnesses configure the bindings as the local platform does: secrets in 0600 files and the
// route cache in a folder, each named by a variable the harness sets.
bindSecretSource(localSecretSource());
bindRouteCache(localRouteCache());
