import type { CustomDomainCertificates } from '../types.js';

/**
 * The local platform's certificates: none. Its edge serves plain HTTP on `*.localhost` and on any
 * custom domain pointed at it, so a verified domain needs nothing beyond its route-cache entry;
 * there is nothing to create, remove or record.
 */
export const noCertificates: CustomDomainCertificates = {
  async add() {},
  async remove() {
    return 'removed';
  },
  async status() {
    return 'none';
  },
};
