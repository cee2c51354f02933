import { bindSecretSource } from '../../../handlers/lib/bindings/bound.js';
import { awsSecretSource } from './secret-source.js';

/**
 * Imported first by the bundle of every Lambda that reads platform secrets (see
 * `handlerFunction`'s `readsSecrets`): binds the AWS implementations before the handler loads.
 */
bindSecretSource(awsSecretSource());
