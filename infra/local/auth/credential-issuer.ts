import { randomBytes } from 'node:crypto';
import { parseSessionPolicy, type SessionPolicy } from './session-policy.js';

/** An access key the local services accept, as the gate finds it by its id. */
export type LocalIdentity =
  | { kind: 'platform'; accessKeyId: string; secretAccessKey: string }
  | { kind: 'session'; accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration: Date; policy: SessionPolicy };

/** What sts:AssumeRole answers (the fields of its `Credentials`). */
export interface TemporaryCredentials {
  AccessKeyId: string;
  SecretAccessKey: string;
  SessionToken: string;
  Expiration: string;
}

export interface AssumeRoleParameters {
  Policy?: unknown;
  DurationSeconds?: unknown;
}

// sts:AssumeRole's own bounds for DurationSeconds.
const MIN_DURATION_SECONDS = 900;
const MAX_DURATION_SECONDS = 43_200;

const accessKeyId = (prefix: string) => `${prefix}${randomBytes(10).toString('hex').toUpperCase()}`;
const secret = () => randomBytes(30).toString('base64url');

/**
 * The local stand-in for IAM and STS. It holds the platform's own key pair, generated at each start
 * and kept in this process only (handlers get it through the environment, as in Lambda), and mints
 * temporary credentials bound to a session policy the way sts:AssumeRole does. The SigV4 gates in
 * front of the local services look every access key up here.
 */
export class LocalCredentialIssuer {
  readonly platform: { accessKeyId: string; secretAccessKey: string } = { accessKeyId: accessKeyId('AKIA'), secretAccessKey: secret() };
  private readonly sessions = new Map<string, Extract<LocalIdentity, { kind: 'session' }>>();

  /** sts:AssumeRole with a session policy: the credentials can do what the policy allows, on S3 only, until they expire. */
  assumeRole(parameters: AssumeRoleParameters, now = new Date()): { Credentials: TemporaryCredentials } {
    if (typeof parameters.Policy !== 'string')
      throw Object.assign(new Error('Policy: a session policy document is required locally'), {
        name: 'Sts.MalformedPolicyDocumentException',
      });
    let policy: SessionPolicy;
    try {
      policy = parseSessionPolicy(parameters.Policy);
    } catch (error) {
      throw Object.assign(new Error((error as Error).message), { name: 'Sts.MalformedPolicyDocumentException' });
    }
    const duration = parameters.DurationSeconds === undefined ? 3600 : parameters.DurationSeconds;
    if (typeof duration !== 'number' || !Number.isInteger(duration) || duration < MIN_DURATION_SECONDS || duration > MAX_DURATION_SECONDS) {
      throw Object.assign(new Error(`DurationSeconds: must be an integer from ${MIN_DURATION_SECONDS} to ${MAX_DURATION_SECONDS}`), {
        name: 'Sts.ValidationErrorException',
      });
    }
    this.dropExpired(now);
    const identity = {
      kind: 'session' as const,
      accessKeyId: accessKeyId('ASIA'),
      secretAccessKey: secret(),
      sessionToken: randomBytes(48).toString('base64url'),
      expiration: new Date(now.getTime() + duration * 1000),
      policy,
    };
    this.sessions.set(identity.accessKeyId, identity);
    return {
      Credentials: {
        AccessKeyId: identity.accessKeyId,
        SecretAccessKey: identity.secretAccessKey,
        SessionToken: identity.sessionToken,
        Expiration: identity.expiration.toISOString(),
      },
    };
  }

  /** The identity an access key id names, or undefined for a key this start never issued. */
  lookup(id: string): LocalIdentity | undefined {
    if (id === this.platform.accessKeyId) return { kind: 'platform', ...this.platform };
    return this.sessions.get(id);
  }

  private dropExpired(now: Date): void {
    for (const [id, session] of this.sessions) if (session.expiration <= now) this.sessions.delete(id);
  }
}
