import * as v from 'valibot';
import { parseSetting } from '../../../handlers/lib/setting.js';

/**
 * A Secrets Manager VersionId (32–64 characters, the UUID `put-secret-value` prints). Pinning the
 * origin secret's dynamic reference to one is what makes a rotation deploy: the reference's text
 * changes with the version, so CloudFormation updates the router's variable and the distribution's
 * origin header together, where an unchanged `{{resolve:…}}` would leave both on the old value.
 */
const VersionId = v.pipe(
  v.string(),
  v.minLength(32, 'must be a Secrets Manager VersionId (32 to 64 characters)'),
  v.maxLength(64, 'must be a Secrets Manager VersionId (32 to 64 characters)'),
  v.regex(/^[A-Za-z0-9-]+$/, 'must be a Secrets Manager VersionId (letters, digits and hyphens)'),
);

/** The version from a setting's text (unset: undefined); a bad value throws naming `field`. */
export function parseOriginSecretVersion(value: string | undefined, field: string): string | undefined {
  return parseSetting(VersionId, value, field);
}
