import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { Sha256 } from '@smithy/core/checksum';
import { HttpRequest } from '@smithy/core/protocols';
import { SignatureV4 } from '@smithy/signature-v4';
import type { LocalCredentialIssuer, LocalIdentity } from './credential-issuer.js';

/** How far a signing date may be from now, as AWS allows. */
const CLOCK_SKEW_MS = 15 * 60 * 1000;
const MAX_PRESIGN_SECONDS = 7 * 24 * 3600;
const ALGORITHM = 'AWS4-HMAC-SHA256';

export type AuthFailure =
  | 'MissingAuthentication'
  | 'MalformedAuthentication'
  | 'InvalidAccessKeyId'
  | 'InvalidToken'
  | 'SignatureDoesNotMatch'
  | 'RequestTimeTooSkewed'
  | 'RequestExpired';

export type Verification =
  | { ok: true; identity: LocalIdentity; presigned: boolean; body: Uint8Array | undefined }
  | { ok: false; failure: AuthFailure; message: string };

/** The request as the gate received it: method, raw target (path and query, still encoded) and headers. */
export interface ReceivedRequest {
  method: string;
  target: string;
  headers: IncomingHttpHeaders;
}

/** The query parameters of presigned authentication; anything else in the query is part of what was signed. */
export const PRESIGN_PARAMETERS = [
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Date',
  'X-Amz-Expires',
  'X-Amz-SignedHeaders',
  'X-Amz-Signature',
  'X-Amz-Security-Token',
];

const fail = (failure: AuthFailure, message: string): Verification => ({ ok: false, failure, message });

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** `?a=1&b&a=2` → { a: ['1', '2'], b: '' }, decoded; undefined if an escape is invalid. */
export function parseQuery(rawQuery: string): Record<string, string | string[]> | undefined {
  const query: Record<string, string | string[]> = {};
  try {
    for (const part of rawQuery.split('&')) {
      if (!part) continue;
      const eq = part.indexOf('=');
      const key = decodeURIComponent(eq < 0 ? part : part.slice(0, eq));
      const value = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1));
      const existing = query[key];
      query[key] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
    }
  } catch {
    return undefined;
  }
  return query;
}

const single = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? undefined : value);

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** `20260130T101500Z` → Date, or undefined. */
function parseAmzDate(value: string | undefined): Date | undefined {
  const match = value ? /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value) : null;
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s] = match.map(Number) as [number, number, number, number, number, number, number];
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

interface Claimed {
  accessKeyId: string;
  scopeDate: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
  date: Date;
  longDate: string;
  token: string | undefined;
  /** Set for a presigned request: X-Amz-Expires. */
  expiresSeconds?: number;
}

function claimedScope(
  credential: string,
  signedHeaders: string,
  signature: string,
  longDate: string | undefined,
  token: string | undefined,
): Claimed | AuthFailure {
  const [accessKeyId, scopeDate, region, service, terminator, ...rest] = credential.split('/');
  const date = parseAmzDate(longDate);
  if (!accessKeyId || !scopeDate || !region || !service || terminator !== 'aws4_request' || rest.length || !date || !longDate)
    return 'MalformedAuthentication';
  if (!/^[0-9a-f]{64}$/.test(signature) || !signedHeaders) return 'MalformedAuthentication';
  return { accessKeyId, scopeDate, region, service, signedHeaders: signedHeaders.split(';'), signature, date, longDate, token };
}

function fromAuthorizationHeader(authorization: string, headers: IncomingHttpHeaders): Claimed | AuthFailure {
  if (!authorization.startsWith(`${ALGORITHM} `)) return 'MalformedAuthentication';
  const fields = new Map<string, string>();
  for (const part of authorization.slice(ALGORITHM.length + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const credential = fields.get('Credential');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!credential || !signedHeaders || !signature) return 'MalformedAuthentication';
  return claimedScope(
    credential,
    signedHeaders,
    signature,
    headerValue(headers, 'x-amz-date'),
    headerValue(headers, 'x-amz-security-token'),
  );
}

function fromPresignedQuery(query: Record<string, string | string[]>): Claimed | AuthFailure {
  if (single(query['X-Amz-Algorithm']) !== ALGORITHM) return 'MalformedAuthentication';
  const expires = Number(single(query['X-Amz-Expires']));
  if (!Number.isInteger(expires) || expires < 1 || expires > MAX_PRESIGN_SECONDS) return 'MalformedAuthentication';
  const claimed = claimedScope(
    single(query['X-Amz-Credential']) ?? '',
    single(query['X-Amz-SignedHeaders']) ?? '',
    single(query['X-Amz-Signature']) ?? '',
    single(query['X-Amz-Date']),
    single(query['X-Amz-Security-Token']),
  );
  return typeof claimed === 'string' ? claimed : { ...claimed, expiresSeconds: expires };
}

/**
 * Verifies a SigV4 request (Authorization header or presigned query) for `service` against the keys
 * `issuer` knows: the signature is recomputed with the SDK's own signer for the request as received
 * and compared in constant time. `readBody` is called only when the request carries no
 * x-amz-content-sha256 header (the JSON services; S3 requests name their payload hash in it), and
 * only once the key is known and the date valid, so an unauthenticated client cannot make the
 * gate read its body.
 */
export async function verifySigV4(
  request: ReceivedRequest,
  service: string,
  issuer: LocalCredentialIssuer,
  readBody: (() => Promise<Uint8Array>) | undefined,
  now = new Date(),
): Promise<Verification> {
  const queryStart = request.target.indexOf('?');
  const path = queryStart < 0 ? request.target : request.target.slice(0, queryStart);
  const query = parseQuery(queryStart < 0 ? '' : request.target.slice(queryStart + 1));
  if (!query) return fail('MalformedAuthentication', 'the query string is not validly escaped');
  const authorization = headerValue(request.headers, 'authorization');
  const presigned = 'X-Amz-Algorithm' in query;
  if (!authorization && !presigned)
    return fail('MissingAuthentication', 'the request is not signed: an Authorization header or a presigned query is required');
  if (authorization && presigned) return fail('MalformedAuthentication', 'only one authentication mechanism is allowed');

  const claimed = authorization ? fromAuthorizationHeader(authorization, request.headers) : fromPresignedQuery(query);
  if (typeof claimed === 'string') return fail(claimed, 'the authorization is not a well-formed AWS4-HMAC-SHA256 signature');
  if (claimed.service !== service) return fail('SignatureDoesNotMatch', `the credential is scoped to ${claimed.service}, not ${service}`);
  if (claimed.scopeDate !== claimed.longDate.slice(0, 8))
    return fail('SignatureDoesNotMatch', 'the credential scope date differs from the signing date');
  if (!claimed.signedHeaders.includes('host')) return fail('SignatureDoesNotMatch', 'the host header must be signed');

  const skew = claimed.date.getTime() - now.getTime();
  if (claimed.expiresSeconds !== undefined) {
    if (skew > CLOCK_SKEW_MS) return fail('RequestTimeTooSkewed', 'the presigned request is not valid yet');
    if (now.getTime() > claimed.date.getTime() + claimed.expiresSeconds * 1000)
      return fail('RequestExpired', 'the presigned request has expired');
  } else if (Math.abs(skew) > CLOCK_SKEW_MS) {
    return fail('RequestTimeTooSkewed', 'the difference between the request time and the current time is too large');
  }

  const identity = issuer.lookup(claimed.accessKeyId);
  if (!identity) return fail('InvalidAccessKeyId', 'the access key id does not exist in our records');
  if (identity.kind === 'session') {
    if (identity.expiration <= now) return fail('InvalidToken', 'the security token included in the request is expired');
    if (!claimed.token || !sameSecret(claimed.token, identity.sessionToken))
      return fail('InvalidToken', 'the security token included in the request is invalid');
  }

  // Only the headers the client signed, with the values received; a signed header that did not arrive fails the comparison.
  const signed: Record<string, string> = {};
  for (const name of claimed.signedHeaders) {
    const value = headerValue(request.headers, name);
    if (value === undefined) return fail('SignatureDoesNotMatch', `the signed header ${name} is missing from the request`);
    // The signer adds these itself from the date and the credentials.
    if (name === 'x-amz-date' || (name === 'x-amz-security-token' && identity.kind === 'session')) continue;
    signed[name] = value;
  }
  const body = !presigned && request.headers['x-amz-content-sha256'] === undefined && readBody ? await readBody() : undefined;
  const host = signed.host ?? '';
  const colon = host.lastIndexOf(':');
  const toSign = new HttpRequest({
    method: request.method,
    protocol: 'http:',
    hostname: colon > 0 ? host.slice(0, colon) : host,
    ...(colon > 0 ? { port: Number(host.slice(colon + 1)) } : {}),
    path,
    query: Object.fromEntries(Object.entries(query).filter(([key]) => !(presigned && key === 'X-Amz-Signature'))),
    headers: signed,
    // A presigned URL's payload is unsigned unless a signed x-amz-content-sha256 names it (read from the headers first).
    body: presigned ? {} : body,
  });
  const signer = new SignatureV4({
    credentials: {
      accessKeyId: identity.accessKeyId,
      secretAccessKey: identity.secretAccessKey,
      ...(identity.kind === 'session' ? { sessionToken: identity.sessionToken } : {}),
    },
    region: claimed.region,
    service,
    sha256: Sha256,
    // S3 signs the path as sent; the other services sign it escaped once more.
    uriEscapePath: service !== 's3',
    applyChecksum: false,
  });
  const names = new Set(claimed.signedHeaders);
  let expected: { signature: string; signedHeaders: string };
  if (presigned) {
    const result = await signer.presign(toSign, {
      signingDate: claimed.date,
      expiresIn: claimed.expiresSeconds ?? 0,
      signableHeaders: names,
      unhoistableHeaders: names,
    });
    expected = {
      signature: String(result.query?.['X-Amz-Signature'] ?? ''),
      signedHeaders: String(result.query?.['X-Amz-SignedHeaders'] ?? ''),
    };
  } else {
    const result = await signer.sign(toSign, { signingDate: claimed.date, signableHeaders: names });
    const header = String(result.headers.authorization ?? '');
    expected = {
      signature: /Signature=([0-9a-f]+)/.exec(header)?.[1] ?? '',
      signedHeaders: /SignedHeaders=([^,]+)/.exec(header)?.[1] ?? '',
    };
  }
  if (expected.signedHeaders !== claimed.signedHeaders.join(';') || !sameSecret(expected.signature, claimed.signature)) {
    return fail('SignatureDoesNotMatch', 'the request signature we calculated does not match the signature you provided');
  }
  return { ok: true, identity, presigned, body };
}
