import * as v from 'valibot';

/** The error a bad setting gets: JSON naming the field, what it must be and what it was. */
export function invalidSetting(field: string, mustBe: string, value: unknown): Error {
  return new Error(
    JSON.stringify({ error: { code: 'InvalidSetting', field, message: `${field} ${mustBe}, got ${JSON.stringify(value)}` } }),
  );
}

/**
 * An operator setting's text (a CDK context key, an environment variable, a CLI flag) through its
 * schema: unset or empty is undefined; a bad value throws `invalidSetting`, saying `mustBe` (by
 * default the schema's own message).
 */
export function parseSetting<T>(
  schema: v.GenericSchema<string, T>,
  value: string | undefined,
  field: string,
  mustBe?: string,
): T | undefined {
  if (value === undefined || value === '') return undefined;
  const parsed = v.safeParse(schema, value.trim());
  if (!parsed.success) throw invalidSetting(field, mustBe ?? parsed.issues[0]?.message ?? 'is invalid', value);
  return parsed.output;
}
