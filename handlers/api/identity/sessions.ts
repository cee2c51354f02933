import { SignJWT, jwtVerify } from 'jose';
import { platformKey } from '../../lib/platform-key.js';

/**
 * Browser sessions: a JWT (HS256, jose) in an HttpOnly, SameSite=Lax cookie, signed with a key only
 * the API holds (SLIPWAY_SESSION_SECRET_ARN / SLIPWAY_SESSION_KEY_FILE) — not the ticket key, which
 * pipeline functions can read. The cookie names the user only; roles are read on every request.
 */
export const SESSION_COOKIE = 'slipway_session';
export const SESSION_SECONDS = 12 * 3600;
const AUDIENCE = 'slipway-session';
const ISSUER = 'slipway-api';

export const sessionKey = platformKey('session-key', 'SLIPWAY_SESSION_SECRET_ARN nor SLIPWAY_SESSION_KEY_FILE');

/**
 * What a valid session cookie says: the user, and for a session opened with the admin token a
 * fingerprint of that token, so rotating the admin token ends those sessions too.
 */
export interface SessionClaims {
  user: string;
  adminTokenFingerprint?: string;
}

export async function signSession(user: string, adminTokenFingerprint?: string): Promise<string> {
  return new SignJWT(adminTokenFingerprint ? { adm: adminTokenFingerprint } : {})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject(user)
    .setIssuedAt()
    .setExpirationTime(`${SESSION_SECONDS}s`)
    .sign(await sessionKey());
}

/** The claims of a valid session cookie; undefined for anything else (expired, forged, malformed). */
export async function verifySession(token: string): Promise<SessionClaims | undefined> {
  try {
    const { payload } = await jwtVerify(token, await sessionKey(), { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'] });
    if (typeof payload.sub !== 'string' || payload.sub.length === 0) return undefined;
    return typeof payload.adm === 'string' ? { user: payload.sub, adminTokenFingerprint: payload.adm } : { user: payload.sub };
  } catch {
    return undefined;
  }
}

/** Cookies are Secure unless the API is served over plain http (the local platform). */
export function cookieOptions(requestUrl: string, maxAge: number) {
  return { httpOnly: true, secure: new URL(requestUrl).protocol === 'https:', sameSite: 'Lax' as const, path: '/', maxAge };
}
