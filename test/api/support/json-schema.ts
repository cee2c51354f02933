/**
 * A minimal JSON Schema (2020-12) validator for the subset the OpenAPI document uses. A keyword it
 * does not know makes it throw, so the document cannot grow past what the tests really check.
 */
type Schema = Record<string, unknown> | boolean;

const ANNOTATIONS = new Set(['description', 'title', 'examples', 'default', 'format', '$comment', 'deprecated', 'readOnly', 'writeOnly']);
const KNOWN = new Set([
  '$ref',
  'type',
  'const',
  'enum',
  'properties',
  'required',
  'additionalProperties',
  'propertyNames',
  'items',
  'anyOf',
  'oneOf',
  'allOf',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'minItems',
  'maxItems',
]);

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function resolve(root: Record<string, unknown>, ref: string): Schema {
  if (!ref.startsWith('#/')) throw new Error(`json-schema: only local $ref is supported, not ${ref}`);
  let node: unknown = root;
  for (const part of ref.slice(2).split('/'))
    node = (node as Record<string, unknown> | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  if (node === undefined) throw new Error(`json-schema: $ref ${ref} does not resolve`);
  return node as Schema;
}

/** The problems of `value` against `schema` (`root` resolves `$ref`s); empty when it is valid. */
export function validate(schema: Schema, value: unknown, root: Record<string, unknown>, at = '$'): string[] {
  if (schema === true) return [];
  if (schema === false) return [`${at}: no value is allowed here`];
  for (const key of Object.keys(schema)) {
    if (!KNOWN.has(key) && !ANNOTATIONS.has(key))
      throw new Error(`json-schema: keyword ${key} at ${at} is not supported by the test validator`);
  }
  const errors: string[] = [];
  if (typeof schema.$ref === 'string') errors.push(...validate(resolve(root, schema.$ref), value, root, at));
  const actual = typeOf(value);
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
    const ok = types.some((t) => t === actual || (t === 'number' && actual === 'integer'));
    if (!ok) return [...errors, `${at}: expected ${types.join('|')}, got ${actual}`];
  }
  if ('const' in schema && JSON.stringify(schema.const) !== JSON.stringify(value))
    errors.push(`${at}: expected ${JSON.stringify(schema.const)}`);
  if (Array.isArray(schema.enum) && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
    errors.push(`${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
  }
  if (typeof value === 'string') {
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value))
      errors.push(`${at}: ${JSON.stringify(value)} does not match ${schema.pattern}`);
    const length = [...value].length;
    if (typeof schema.minLength === 'number' && length < schema.minLength) errors.push(`${at}: shorter than ${schema.minLength}`);
    if (typeof schema.maxLength === 'number' && length > schema.maxLength) errors.push(`${at}: longer than ${schema.maxLength}`);
  }
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) errors.push(`${at}: below ${schema.minimum}`);
    if (typeof schema.maximum === 'number' && value > schema.maximum) errors.push(`${at}: above ${schema.maximum}`);
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) errors.push(`${at}: fewer than ${schema.minItems} items`);
    if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) errors.push(`${at}: more than ${schema.maxItems} items`);
    if (schema.items !== undefined) {
      for (const [i, item] of value.entries()) errors.push(...validate(schema.items as Schema, item, root, `${at}[${i}]`));
    }
  }
  if (actual === 'object') {
    const object = value as Record<string, unknown>;
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    for (const name of (schema.required ?? []) as string[]) if (!(name in object)) errors.push(`${at}: ${name} is required`);
    for (const [name, item] of Object.entries(object)) {
      if (schema.propertyNames !== undefined) errors.push(...validate(schema.propertyNames as Schema, name, root, `${at}{${name}}`));
      const property = properties[name];
      if (property !== undefined) errors.push(...validate(property, item, root, `${at}.${name}`));
      else if (schema.additionalProperties !== undefined)
        errors.push(...validate(schema.additionalProperties as Schema, item, root, `${at}.${name}`));
    }
  }
  const matching = (list: Schema[]) => list.filter((s) => validate(s, value, root, at).length === 0).length;
  if (Array.isArray(schema.anyOf) && matching(schema.anyOf) === 0) errors.push(`${at}: matches none of anyOf`);
  if (Array.isArray(schema.oneOf) && matching(schema.oneOf) !== 1) errors.push(`${at}: must match exactly one of oneOf`);
  if (Array.isArray(schema.allOf)) for (const s of schema.allOf as Schema[]) errors.push(...validate(s, value, root, at));
  return errors;
}
