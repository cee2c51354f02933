import * as v from 'valibot';
import { LIMIT_BOUNDS } from '../../handlers/lib/limits.js';
import { parseSetting } from '../../handlers/lib/setting.js';
import { parseRouteCacheProjects } from '../../handlers/pipeline/bundle/aws-preflight.js';
import { parseClientAddressDepth } from '../../router/client-address.js';
import { parseOriginSecretVersion } from './projects/origin-secret-version.js';
import { parseStage } from '../../handlers/lib/stage.js';

/**
 * Every CDK context key the platform app reads, in one list: the app (app.ts) parses its context
 * through it and the operator's configure command (configure-context.ts) validates what it writes
 * into `cdk.context.json` with the same parsers, so a value the command accepts is one the app
 * accepts. A key the app starts reading belongs here.
 */
interface ContextKeySpec<T> {
  /** One line for the configure command's help and docs/DEPLOY-AWS.md's table. */
  description: string;
  /** The key's value from its text: undefined when unset; a bad value throws `invalidSetting` naming `field`. */
  parse: (text: string | undefined, field: string) => T | undefined;
}

const DOMAIN_MUST_BE = 'must be a domain name such as apps.example.com (lower-case letters, digits, hyphens, at least two labels)';
const DomainName = v.pipe(
  v.string(),
  v.maxLength(253, DOMAIN_MUST_BE),
  v.regex(/^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$/, DOMAIN_MUST_BE),
);

// CloudFront takes certificates from ACM in us-east-1 only, whatever region the platform runs in.
const CertificateArn = v.pipe(
  v.string(),
  v.regex(
    /^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/[A-Za-z0-9-]+$/,
    'must be the ARN of an ACM certificate in us-east-1 (CloudFront takes certificates from there only)',
  ),
);

// The stack imports the secret by its complete ARN: the partial one (without the six-character
// suffix Secrets Manager appends) would make every grant on it a wildcard.
const SecretCompleteArn = v.pipe(
  v.string(),
  v.regex(
    /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}$/,
    'must be the complete ARN of a Secrets Manager secret, ending in the six-character suffix create-secret prints',
  ),
);

const { min: TIMEOUT_MIN, max: TIMEOUT_MAX } = LIMIT_BOUNDS.buildTimeoutSeconds;
const BuildTimeoutSeconds = v.pipe(
  v.string(),
  v.regex(/^\d+$/),
  v.transform(Number),
  v.integer(),
  v.minValue(TIMEOUT_MIN),
  v.maxValue(TIMEOUT_MAX),
);

export const CONTEXT_KEYS = {
  stage: {
    description: 'the copy of the platform this is (default prod): every resource name carries it, so dev and prod share an account',
    parse: (text, field) => (text === undefined ? undefined : parseStage(text, field)),
  },
  domainName: {
    description: 'the domain tenants live under: project NAME answers at NAME.<domainName>',
    parse: (text, field) => parseSetting(DomainName, text, field),
  },
  certificateArn: {
    description: 'the us-east-1 ACM certificate covering *.<domainName> and the dashboard domain',
    parse: (text, field) => parseSetting(CertificateArn, text, field),
  },
  dashboardDomainName: {
    description: "the dashboard's (and the API's) host name, covered by the certificate",
    parse: (text, field) => parseSetting(DomainName, text, field),
  },
  githubSecretArn: {
    description: 'the Secrets Manager secret holding the GitHub App and OAuth app (docs/DEPLOY-AWS.md section 5)',
    parse: (text, field) => parseSetting(SecretCompleteArn, text, field),
  },
  buildTimeoutSeconds: {
    description: `upper bound of one build in seconds (default 900, ${TIMEOUT_MIN} to ${TIMEOUT_MAX})`,
    parse: (text, field) =>
      parseSetting(BuildTimeoutSeconds, text, field, `must be a whole number of seconds from ${TIMEOUT_MIN} to ${TIMEOUT_MAX}`),
  },
  clientAddressDepth: {
    description: 'which X-Forwarded-For hop tenants see as the visitor (default 1, the address CloudFront saw)',
    parse: parseClientAddressDepth,
  },
  routeCacheProjects: {
    description: 'how many projects the route cache is shared among (default 200)',
    parse: parseRouteCacheProjects,
  },
  originSecretVersion: {
    description: "the origin secret's VersionId the router and the tenant distribution use (a rotation)",
    parse: parseOriginSecretVersion,
  },
} satisfies Record<string, ContextKeySpec<unknown>>;

export type ContextKey = keyof typeof CONTEXT_KEYS;
export const CONTEXT_KEY_NAMES = Object.keys(CONTEXT_KEYS) as ContextKey[];

/** The parsed context: a key the operator left unset is absent. */
export type PlatformContext = {
  [K in ContextKey]?: NonNullable<ReturnType<(typeof CONTEXT_KEYS)[K]['parse']>>;
};

/**
 * A context value as text: `-c key=value` gives a string, a hand-edited `cdk.context.json` may
 * hold a number; anything else (CDK's own cached lookups are objects) is not a setting.
 */
export function contextText(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** Every platform key from `lookup` (the app's tryGetContext), parsed; a bad one throws naming `context.<key>`. */
export function readPlatformContext(lookup: (key: string) => unknown): PlatformContext {
  const context: Record<string, unknown> = {};
  for (const key of CONTEXT_KEY_NAMES) {
    const value = CONTEXT_KEYS[key].parse(contextText(lookup(key)), `context.${key}`);
    if (value !== undefined) context[key] = value;
  }
  return context as PlatformContext;
}
