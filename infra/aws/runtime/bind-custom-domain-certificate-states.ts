import { bindCustomDomainCertificates } from '../../../handlers/lib/bindings/bound.js';
import { awsCustomDomainCertificateStates } from './custom-domain-certificates.js';

/**
 * Imported first by the bundle of the API Lambda (`binds: ['custom-domain-certificate-states']`):
 * binds the read-only certificate states, so the domain answers show each domain's certificate
 * while the bundle holds no call that creates or deletes a tenant.
 */
bindCustomDomainCertificates(awsCustomDomainCertificateStates());
