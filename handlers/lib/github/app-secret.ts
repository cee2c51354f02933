import * as v from 'valibot';
import { secretString } from '../secrets.js';

/**
 * The fields `schema` names of the GitHub App's JSON secret (SLIPWAY_GITHUB_SECRET_ARN on AWS:
 * appId, privateKey, webhookSecret, oauthClientId, oauthClientSecret); undefined when the platform
 * runs without that secret (locally, where each value has its own variable or 0600 file).
 */
export async function githubSecretFields<const S extends v.GenericSchema>(schema: S, purpose: string): Promise<v.InferOutput<S> | undefined> {
  const secretArn = process.env.SLIPWAY_GITHUB_SECRET_ARN;
  if (!secretArn) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(await secretString(secretArn, 'the GitHub App secret'));
  } catch (error) {
    if (error instanceof SyntaxError) throw new Error('the GitHub App secret is not a JSON document');
    throw error;
  }
  const result = v.safeParse(schema, parsed);
  if (!result.success) throw new Error(`the GitHub App secret field ${v.getDotPath(result.issues[0]) ?? '(root)'} is invalid (${purpose}): ${result.issues[0].message}`);
  return result.output;
}
