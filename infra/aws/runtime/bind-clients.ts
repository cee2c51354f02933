import { bindPlatform } from '../../../handlers/lib/bindings/platform.js';
import { awsPlatformClients } from './platform-clients.js';

/**
 * Imported by the bundle of every Lambda that reaches S3, DynamoDB or Step Functions
 * (`handlerFunction`'s `binds: ['clients']`): binds the platform's SDK clients before the handler loads.
 */
bindPlatform(awsPlatformClients());
