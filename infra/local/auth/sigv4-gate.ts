import { createHash } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LocalCredentialIssuer } from './credential-issuer.js';
import { s3Operation } from './s3-operation.js';
import { sendRefusal, type GatedService, type Refusal } from './service-errors.js';
import { policyAllows } from './session-policy.js';
import { parseQuery, PRESIGN_PARAMETERS, verifySigV4 } from './sigv4-verifier.js';

/** DynamoDB's own request limit. */
const MAX_JSON_BODY_BYTES = 16 * 1024 * 1024;
// Not forwarded: connection-level headers, and `expect` (the gate already answered 100-continue).
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'expect', 'te', 'trailer'];

export interface SigV4GateOptions {
  service: GatedService;
  /** The server behind the gate, listening on loopback. */
  upstream: { host: string; port: number };
  issuer: LocalCredentialIssuer;
}

export interface SigV4Gate {
  /** `http://127.0.0.1:<port>`: what clients use as the service's endpoint. */
  endpoint: string;
  port: number;
  close(): Promise<void>;
}

class Refused extends Error {
  constructor(
    readonly refusal: Refusal,
    message: string,
  ) {
    super(message);
  }
}

async function readWhole(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_JSON_BODY_BYTES) throw new Refused('RequestTooLarge', `the request body exceeds ${MAX_JSON_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** The target without the presign parameters: s3rver would try (and fail) to check them with its own keys. */
function withoutPresignParameters(target: string): string {
  const queryStart = target.indexOf('?');
  if (queryStart < 0) return target;
  const kept = target
    .slice(queryStart + 1)
    .split('&')
    .filter((part) => {
      const key = part.split('=')[0] ?? '';
      try {
        return !PRESIGN_PARAMETERS.includes(decodeURIComponent(key));
      } catch {
        return true;
      }
    });
  return kept.length ? `${target.slice(0, queryStart)}?${kept.join('&')}` : target.slice(0, queryStart);
}

function forwardedHeaders(headers: IncomingHttpHeaders, service: GatedService, upstreamHost: string): IncomingHttpHeaders {
  const forwarded: IncomingHttpHeaders = { ...headers, host: upstreamHost };
  for (const name of HOP_BY_HOP) delete forwarded[name];
  // s3rver checks the signatures it sees against its own well-known keys; the gate has checked them already.
  if (service === 's3') delete forwarded.authorization;
  return forwarded;
}

/**
 * Streams the request body upstream, holding back the newest chunk until the next one arrives so
 * the upstream never receives a complete body the gate would refuse: the byte count must equal the
 * (signed) Content-Length and, when the signature names the payload's SHA-256, the hash must match.
 * Refusing means destroying the upstream request, which s3rver treats as an aborted upload.
 */
function streamBody(
  req: IncomingMessage,
  upstream: ReturnType<typeof httpRequest>,
  check: { length?: number; sha256?: string },
  onRefused: (refused: Refused) => void,
): void {
  const hash = check.sha256 ? createHash('sha256') : undefined;
  let received = 0;
  let held: Buffer | undefined;
  let failed = false;
  const refuse = (refused: Refused) => {
    if (failed) return;
    failed = true;
    upstream.destroy();
    req.destroy();
    onRefused(refused);
  };
  const write = (chunk: Buffer) => {
    if (!upstream.write(chunk)) {
      req.pause();
      upstream.once('drain', () => req.resume());
    }
  };
  req.on('data', (chunk: Buffer) => {
    received += chunk.length;
    if (check.length !== undefined && received > check.length)
      return refuse(new Refused('IncompleteBody', 'the body is longer than the signed Content-Length'));
    hash?.update(chunk);
    if (held) write(held);
    held = chunk;
  });
  req.on('end', () => {
    if (failed) return;
    if (check.length !== undefined && received !== check.length)
      return refuse(new Refused('IncompleteBody', 'the body length differs from the signed Content-Length'));
    if (hash && hash.digest('hex') !== check.sha256)
      return refuse(new Refused('XAmzContentSHA256Mismatch', 'the body does not match the signed x-amz-content-sha256'));
    upstream.end(held);
  });
  req.on('aborted', () => upstream.destroy());
  req.on('error', () => upstream.destroy());
}

/**
 * A reverse proxy that lets through only requests signed (SigV4) with credentials `issuer` holds,
 * in front of one local AWS-API server listening on loopback. Platform credentials may do
 * anything; temporary credentials from the local STS stand-in may do on S3 what their session
 * policy allows and nothing on the other services. Authentication is by signature alone, never
 * by the client's address, so the same gate serves clients reaching it through a bridge.
 */
export async function startSigV4Gate(options: SigV4GateOptions): Promise<SigV4Gate> {
  const { service, issuer } = options;
  const upstreamHost = `${options.upstream.host}:${options.upstream.port}`;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const target = req.url ?? '/';
    // S3 bodies stream through; the JSON services' small bodies are read whole to hash them.
    const verified = await verifySigV4(
      { method, target, headers: req.headers },
      service,
      issuer,
      service === 's3' ? undefined : () => readWhole(req),
    );
    if (!verified.ok) throw new Refused(verified.failure, verified.message);
    const body = service === 's3' ? undefined : (verified.body ?? (await readWhole(req)));
    const payloadHash = String(req.headers['x-amz-content-sha256'] ?? '');
    const signedHash = !verified.presigned && /^[0-9a-f]{64}$/.test(payloadHash) ? payloadHash : undefined;
    if (body && signedHash && createHash('sha256').update(body).digest('hex') !== signedHash) {
      throw new Refused('XAmzContentSHA256Mismatch', 'the body does not match the signed x-amz-content-sha256');
    }
    if (verified.identity.kind === 'session') {
      if (service !== 's3') throw new Refused('AccessDenied', `temporary build credentials are not authorized for ${service}`);
      const queryStart = target.indexOf('?');
      const operation = s3Operation(
        method,
        queryStart < 0 ? target : target.slice(0, queryStart),
        parseQuery(queryStart < 0 ? '' : target.slice(queryStart + 1)) ?? {},
        req.headers,
      );
      if (!operation || !policyAllows(verified.identity.policy, operation.action, operation.resource)) {
        throw new Refused(
          'AccessDenied',
          operation ? `not authorized to perform ${operation.action} on ${operation.resource}` : 'not authorized to perform this operation',
        );
      }
    }

    const upstream = httpRequest({
      host: options.upstream.host,
      port: options.upstream.port,
      method,
      path: service === 's3' ? withoutPresignParameters(target) : target,
      headers: forwardedHeaders(req.headers, service, upstreamHost),
    });
    upstream.on('response', (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { connection: 'close' });
      res.end();
    });
    if (body) {
      upstream.end(body);
      return;
    }
    const declared = req.headers['content-length'];
    streamBody(
      req,
      upstream,
      { ...(declared !== undefined ? { length: Number(declared) } : {}), ...(signedHash ? { sha256: signedHash } : {}) },
      (refused) => sendRefusal(res, service, method, refused.refusal, refused.message),
    );
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (error instanceof Refused) sendRefusal(res, service, req.method ?? 'GET', error.refusal, error.message);
      else sendRefusal(res, service, req.method ?? 'GET', 'MalformedAuthentication', 'the request could not be read');
      // A refused body is not read on: the answer closes the connection.
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
