/**
 * The machine's TLS trust settings (file paths, nothing secret): a sandbox on a machine behind a
 * TLS-inspecting proxy must trust the same extra CA as the platform, or the registry and a tenant's
 * external APIs fail with certificate errors.
 */
const TRUST_VARIABLES = ['NODE_EXTRA_CA_CERTS', 'SSL_CERT_FILE', 'SSL_CERT_DIR'] as const;

export function machineTrustEnvironment(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const trust: Record<string, string> = {};
  for (const name of TRUST_VARIABLES) {
    const value = env[name];
    if (value) trust[name] = value;
  }
  return trust;
}
