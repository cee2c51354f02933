import { bindSecretSource } from '../../../handlers/lib/bindings/bound.js';
import { awsSecretSource } from './secret-source.js';

/**
 * Imported first by the bundle of every Lambda that reads platform secrets (`handlerFunction`'s
 * `binds: ['secret-source']`): binds the Secrets Manager SecretSource before the handler loads.
 */
bindSecretSource(awsSecretSource());
