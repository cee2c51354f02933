import { bindCustomDomainCertificates } from '../../../handlers/lib/bindings/bound.js';
import { awsCustomDomainCertificates } from './custom-domain-certificates.js';

/**
 * Imported first by the bundles of the Lambdas that create and delete custom domains' distribution
 * tenants (`handlerFunction`'s `binds: ['custom-domain-certificates']`): binds CloudFront before the
 * handler loads. A separate module, so only those bundles carry the CloudFront client.
 */
bindCustomDomainCertificates(awsCustomDomainCertificates());
