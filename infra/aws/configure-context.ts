import { closest } from '../../handlers/lib/did-you-mean.js';
import { invalidSetting } from '../../handlers/lib/setting.js';
import { CONTEXT_KEYS, CONTEXT_KEY_NAMES, type ContextKey, contextText } from './context-keys.js';

/**
 * The operator's configure command (`npm run aws:configure -- --domain-name … --certificate-arn …`):
 * merges context keys into `cdk.context.json`, which the cdk CLI reads on every deploy, so a later
 * `cdk deploy` can never drop a key the way a deploy with fewer `-c` flags did.
 */

/** `domainName` → `--domain-name`. */
export function flagOf(key: ContextKey): string {
  return `--${key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
}

const KEY_OF_FLAG = new Map<string, ContextKey>(CONTEXT_KEY_NAMES.map((key) => [flagOf(key), key]));

/** What the command line asks for: values to set and keys to remove. */
export interface ContextRequest {
  set: Partial<Record<ContextKey, string>>;
  unset: ContextKey[];
  help: boolean;
}

function unknownOption(option: string): Error {
  const candidates = [...KEY_OF_FLAG.keys(), '--unset', '--help'];
  const meant = closest(option, candidates);
  const hint = meant ? `; did you mean ${meant}?` : '';
  return new Error(
    JSON.stringify({
      error: {
        code: 'UnknownOption',
        field: option,
        message: `${option} is not a context key the platform reads${hint} (known: ${[...KEY_OF_FLAG.keys()].join(', ')})`,
      },
    }),
  );
}

/** The key an `--unset` names, by its flag (`domain-name`, `--domain-name`) or its own name (`domainName`). */
function keyNamed(name: string): ContextKey {
  if ((CONTEXT_KEY_NAMES as string[]).includes(name)) return name as ContextKey;
  const key = KEY_OF_FLAG.get(name.startsWith('--') ? name : `--${name}`);
  if (!key) throw unknownOption(name.startsWith('--') ? name : `--${name}`);
  return key;
}

/** `--flag value` and `--flag=value` pairs; an unknown flag or one without a value throws JSON naming it. */
export function parseContextRequest(argv: readonly string[]): ContextRequest {
  const request: ContextRequest = { set: {}, unset: [], help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--help' || arg === '-h') {
      request.help = true;
      continue;
    }
    const equals = arg.indexOf('=');
    const option = equals > 0 ? arg.slice(0, equals) : arg;
    const inline = equals > 0 ? arg.slice(equals + 1) : undefined;
    if (!option.startsWith('--')) throw invalidSetting(option, 'must be an option such as --domain-name', arg);
    const key = option === '--unset' ? undefined : KEY_OF_FLAG.get(option);
    if (option !== '--unset' && !key) throw unknownOption(option);
    const value = inline ?? argv[++i];
    if (value === undefined || value === '' || (inline === undefined && value.startsWith('--')))
      throw invalidSetting(option, 'needs a value', value ?? null);
    if (key) request.set[key] = value.trim();
    else request.unset.push(keyNamed(value));
  }
  return request;
}

export interface ContextChange {
  key: ContextKey;
  from: string | undefined;
  to: string | undefined;
}

/**
 * `existing` (the file's whole content, CDK's cached lookups included) with the request applied:
 * every key it does not name is kept as it was. Each value is checked by the parser the app uses,
 * named by its flag; the platform keys of the result are checked too, so the file written is one
 * the app accepts.
 */
export function mergeContext(
  existing: Record<string, unknown>,
  request: ContextRequest,
): { context: Record<string, unknown>; changes: ContextChange[] } {
  const context = { ...existing };
  const changes: ContextChange[] = [];
  for (const key of CONTEXT_KEY_NAMES) {
    const before = contextText(existing[key]);
    const text = request.set[key];
    if (text !== undefined) {
      CONTEXT_KEYS[key].parse(text, flagOf(key));
      context[key] = text;
      if (text !== before) changes.push({ key, from: before, to: text });
    } else if (request.unset.includes(key)) {
      delete context[key];
      if (before !== undefined) changes.push({ key, from: before, to: undefined });
    }
  }
  for (const key of CONTEXT_KEY_NAMES) CONTEXT_KEYS[key].parse(contextText(context[key]), `cdk.context.json: ${key}`);
  return { context, changes };
}

/**
 * Keys the app needs together that the context does not hold yet: said after a run rather than
 * refused, since an operator may well set them in two runs (the synthesis itself refuses them).
 */
export function missingCompanions(context: Record<string, unknown>): string[] {
  const set = (key: ContextKey) => contextText(context[key]) !== undefined;
  return (['domainName', 'dashboardDomainName'] as const)
    .filter((key) => set(key) && !set('certificateArn'))
    .map((key) => `${key} needs certificateArn (${flagOf('certificateArn')}) before the next cdk deploy`);
}

export function describeChange(change: ContextChange): string {
  if (change.to === undefined) return `${change.key}: removed (was ${change.from})`;
  return `${change.key}: ${change.to}${change.from === undefined ? ' (was unset)' : ` (was ${change.from})`}`;
}

export function usage(): string {
  const width = Math.max(...CONTEXT_KEY_NAMES.map((key) => flagOf(key).length));
  return [
    'Usage: npm run aws:configure -- [--KEY VALUE]... [--unset KEY]...',
    'Sets CDK context keys in cdk.context.json, keeping every key it is not given; without options, shows them.',
    '',
    ...CONTEXT_KEY_NAMES.map((key) => `  ${flagOf(key).padEnd(width)}  ${CONTEXT_KEYS[key].description}`),
  ].join('\n');
}
