import * as v from 'valibot';

/**
 * The part of IAM policy evaluation the local STS stand-in needs: a session policy of Allow
 * statements naming actions and resource ARNs, `*` and `?` as wildcards. What no statement allows
 * is denied, as on AWS (a session policy can only narrow what the role grants).
 */
const OneOrMany = v.union([v.string(), v.pipe(v.array(v.string()), v.minLength(1))]);

const Statement = v.object({
  Effect: v.literal('Allow'),
  Action: OneOrMany,
  Resource: OneOrMany,
});

export const SessionPolicy = v.object({
  Version: v.optional(v.string()),
  Statement: v.pipe(v.array(Statement), v.minLength(1), v.maxLength(20)),
});
export type SessionPolicy = v.InferOutput<typeof SessionPolicy>;

/** Parses the policy document an assumeRole call passes as a JSON string; throws naming the field. */
export function parseSessionPolicy(document: string): SessionPolicy {
  let json: unknown;
  try {
    json = JSON.parse(document);
  } catch {
    throw new Error('Policy: not a JSON document');
  }
  const result = v.safeParse(SessionPolicy, json);
  if (!result.success) {
    const issue = result.issues[0];
    throw new Error(`Policy.${v.getDotPath(issue) ?? ''}: ${issue.message}`);
  }
  return result.output;
}

const list = (value: string | string[]): string[] => (Array.isArray(value) ? value : [value]);

function wildcardPattern(glob: string, flags: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`, flags);
}

/** Whether some statement allows `action` (IAM action names are case-insensitive) on `resource` (case-sensitive). */
export function policyAllows(policy: SessionPolicy, action: string, resource: string): boolean {
  return policy.Statement.some(
    (statement) =>
      list(statement.Action).some((pattern) => wildcardPattern(pattern, 'i').test(action)) &&
      list(statement.Resource).some((pattern) => wildcardPattern(pattern, '').test(resource)),
  );
}
