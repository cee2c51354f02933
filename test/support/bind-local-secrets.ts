import { bindSecretSource } from '../../handlers/lib/bindings/bound.js';
import { localSecretSource } from '../../infra/local/bindings/secret-source.js';

// The harnesses configure secrets as the local platform does (0600 files named by variables).
bindSecretSource(localSecretSource());
