import { request as httpRequest } from 'node:http';
import { Sha256 } from '@smithy/core/checksum';
import { HttpRequest } from '@smithy/core/protocols';
import { SignatureV4 } from '@smithy/signature-v4';

export interface RawCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface RawRequest {
  endpoint: string;
  /** The SigV4 signing name: s3, dynamodb or states. */
  service: string;
  method: string;
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Signs with these; none sends the request unsigned. */
  credentials?: RawCredentials;
  /** The date the signature claims (default: now). */
  signingDate?: Date;
}

export interface RawResponse {
  status: number;
  body: string;
}

/** A JSON-protocol call (DynamoDB, Step Functions) as the SDK would send it. */
export function jsonCall(
  endpoint: string,
  service: 'dynamodb' | 'states',
  action: string,
  payload: unknown,
  credentials?: RawCredentials,
): Promise<RawResponse> {
  const target = service === 'dynamodb' ? `DynamoDB_20120810.${action}` : `AWSStepFunctions.${action}`;
  return sendRequest({
    endpoint,
    service,
    method: 'POST',
    path: '/',
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': target },
    body: JSON.stringify(payload),
    ...(credentials ? { credentials } : {}),
  });
}

/**
 * Sends one request exactly as built here (node:http, so the Host and Content-Length headers are
 * the ones signed), signed with the SDK's signer when credentials are given: the attacks in
 * test/security send what a hostile client could.
 */
export async function sendRequest(raw: RawRequest): Promise<RawResponse> {
  const url = new URL(raw.endpoint);
  const body = raw.body === undefined ? undefined : Buffer.from(raw.body);
  let toSend = new HttpRequest({
    method: raw.method,
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: raw.path,
    query: raw.query ?? {},
    headers: {
      host: url.host,
      ...(body ? { 'content-length': String(body.length) } : {}),
      ...(raw.service === 's3' ? { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } : {}),
      ...raw.headers,
    },
    ...(body ? { body } : {}),
  });
  if (raw.credentials) {
    const signer = new SignatureV4({
      credentials: raw.credentials,
      region: 'us-east-1',
      service: raw.service,
      sha256: Sha256,
      uriEscapePath: raw.service !== 's3',
    });
    toSend = (await signer.sign(toSend, raw.signingDate ? { signingDate: raw.signingDate } : {})) as HttpRequest;
  }
  const search = new URLSearchParams(toSend.query as Record<string, string>).toString().replace(/\+/g, '%20');
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method: toSend.method,
        path: `${toSend.path}${search ? `?${search}` : ''}`,
        headers: toSend.headers,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
