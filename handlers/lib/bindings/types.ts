/**
 * The bindings: what handlers need from where they run, one small interface each. Each has one
 * implementation per back end beside this file; `infra/aws` and `infra/local` choose and bind
 * them, so handlers never ask which back end they run on (docs/ARCHITECTURE.md, "Bindings").
 */

/**
 * The platform's named secrets. The GitHub App id and OAuth client id are not secret, but on AWS
 * they travel inside the GitHub App's JSON secret, so they are read the same way.
 */
export type SecretName =
  | 'ticket-key'
  | 'env-key'
  | 'session-key'
  | 'admin-token'
  | 'github-app-id'
  | 'github-app-private-key'
  | 'github-webhook-secret'
  | 'github-oauth-client-id'
  | 'github-oauth-client-secret';

/**
 * Where the platform's secrets come from. `read` returns the stored text as stored (callers trim
 * or decode) and reads it again on every call: callers cache. A secret this platform has no
 * configuration for is a `SecretNotConfigured`, so each caller can say what is missing.
 */
export interface SecretSource {
  read(name: SecretName): Promise<string>;
}

/** The platform was started without any configuration for this secret. */
export class SecretNotConfigured extends Error {
  constructor(readonly secret: SecretName) {
    super(`the platform has no configuration for the secret ${secret}`);
    this.name = 'SecretNotConfigured';
  }
}

/**
 * The prerendered-route cache: the key/value store the viewer-request function reads (keys are
 * described in docs/ARCHITECTURE.md).
 */
export interface RouteCache {
  get(key: string): Promise<string | undefined>;
  putMany(entries: Record<string, string>): Promise<void>;
  deleteMany(keys: string[]): Promise<void>;
}
