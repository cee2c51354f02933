import { cachedUntilFailure } from '../../lib/secrets.js';
import { readSecret } from '../../lib/bindings/bound.js';
import { ApiError } from '../errors.js';

const secret = cachedUntilFailure(loadSecret);

/**
 * The GitHub App's webhook secret, from the bound SecretSource: on AWS the `webhookSecret` field of
 * the JSON secret named by SLIPWAY_GITHUB_SECRET_ARN (the App's other credentials live beside it),
 * locally the contents of a 0600 file named by SLIPWAY_GITHUB_WEBHOOK_SECRET_FILE. Cached once
 * loaded; a failed load is not.
 */
export function webhookSecret(): Promise<string> {
  return secret.get();
}

/** For tests that switch secrets between cases. */
export function forgetWebhookSecret(): void {
  secret.forget();
}

async function loadSecret(): Promise<string> {
  // Not a server fault GitHub could retry its way out of: the platform has no GitHub App set up.
  const stored = await readSecret(
    'github-webhook-secret',
    () =>
      new ApiError(
        'Unauthorized',
        'this platform has no GitHub webhook secret configured (SLIPWAY_GITHUB_SECRET_ARN or SLIPWAY_GITHUB_WEBHOOK_SECRET_FILE)',
      ),
  );
  const value = stored.trim();
  if (!value) throw new Error('the GitHub webhook secret file is empty');
  return value;
}
