import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import * as v from 'valibot';
import { PipelineLimitsClaim, type PipelineLimits } from './limits.js';
import { DEPLOYMENT_ID_PATTERN, PREVIEW_ALIAS_PATTERN, PROJECT_NAME_PATTERN } from './names.js';

/** The operations a ticket can authorise; each state machine checks its own. */
export const OPERATIONS = ['init-project', 'build-deploy', 'delete-project', 'rollback'] as const;
export type Operation = (typeof OPERATIONS)[number];

const ISSUER = 'slipway-api';
const AUDIENCE = 'slipway-pipeline';

const TicketClaims = v.object({
  op: v.picklist(OPERATIONS),
  project: v.pipe(v.string(), v.regex(PROJECT_NAME_PATTERN)),
  /** The preview alias a build-and-deploy releases under (absent: production). */
  pv: v.optional(v.pipe(v.string(), v.regex(PREVIEW_ALIAS_PATTERN))),
  sub: v.pipe(v.string(), v.minLength(1)),
  src: v.string(),
  dst: v.string(),
  exe: v.pipe(v.string(), v.minLength(1), v.maxLength(80)),
  /** The deployment the execution acts on (build-and-deploy: the new one; rollback: the target); absent for project operations. */
  dep: v.optional(v.pipe(v.string(), v.regex(DEPLOYMENT_ID_PATTERN))),
  iat: v.number(),
  exp: v.number(),
  /** The subscription limits that bound this execution (build-and-deploy, rollback); signed, so a step can trust them. */
  limits: v.optional(PipelineLimitsClaim),
});
export type TicketClaims = v.InferOutput<typeof TicketClaims>;

export interface TicketRequest {
  op: Operation;
  project: string;
  user: string;
  source: string;
  destination: string;
  executionName: string;
  /** The deployment the execution acts on, when it acts on one: every step refuses a state naming another. */
  deploymentId?: string;
  /** Build-and-deploy only: the preview alias the deployment is released under (absent: production). */
  preview?: string;
  /** Lifetime in seconds; long enough for a build with its retries. */
  ttlSeconds?: number;
  /** The pipeline limits of the subscription that pays for this execution. */
  limits?: PipelineLimits;
}

/** Raised for every refused ticket; the message says why, never echoes the token. */
export class TicketError extends Error {
  override name = 'TicketError';
}

export async function signTicket(request: TicketRequest, key: Uint8Array): Promise<string> {
  return new SignJWT({
    op: request.op,
    project: request.project,
    src: request.source,
    dst: request.destination,
    exe: request.executionName,
    ...(request.deploymentId !== undefined ? { dep: request.deploymentId } : {}),
    ...(request.limits ? { limits: request.limits } : {}),
    ...(request.preview !== undefined ? { pv: request.preview } : {}),
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject(request.user)
    .setIssuedAt()
    .setExpirationTime(`${request.ttlSeconds ?? 3600}s`)
    .sign(key);
}

/**
 * Verifies signature, issuer, audience, expiry and that the ticket was issued for
 * `expected` (an operation — or one of several, for a step that serves more than one workflow —
 * and optionally the project it must name).
 */
export async function verifyTicket(
  token: unknown,
  key: Uint8Array,
  expected: { op: Operation | readonly Operation[]; project?: string },
): Promise<TicketClaims> {
  if (typeof token !== 'string' || token.length === 0) throw new TicketError('ticket is missing');
  let payload: unknown;
  try {
    ({ payload } = await jwtVerify(token, key, {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['HS256'],
    }));
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) throw new TicketError('ticket has expired');
    if (error instanceof joseErrors.JWSSignatureVerificationFailed) {
      throw new TicketError('ticket signature is invalid');
    }
    throw new TicketError(`ticket is invalid: ${(error as Error).message}`);
  }
  const parsed = v.safeParse(TicketClaims, payload);
  if (!parsed.success) {
    const issue = parsed.issues[0];
    throw new TicketError(`ticket claim ${v.getDotPath(issue) ?? '?'} is invalid: ${issue.message}`);
  }
  const claims = parsed.output;
  const allowed: readonly Operation[] = typeof expected.op === 'string' ? [expected.op] : expected.op;
  if (!allowed.includes(claims.op)) {
    throw new TicketError(`ticket is for operation ${claims.op}, not ${allowed.join(' or ')}`);
  }
  if (expected.project !== undefined && claims.project !== expected.project) {
    throw new TicketError(`ticket is for project ${claims.project}, not ${expected.project}`);
  }
  return claims;
}
