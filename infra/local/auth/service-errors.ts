import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { AuthFailure } from './sigv4-verifier.js';

/** The services a gate can stand in front of, by their SigV4 signing name. */
export type GatedService = 's3' | 'dynamodb' | 'states';

/** A refusal the gate answers itself: a failed signature check, or what a scoped identity may not do. */
export type Refusal = AuthFailure | 'AccessDenied' | 'IncompleteBody' | 'XAmzContentSHA256Mismatch' | 'RequestTooLarge';

const S3_CODES: Record<Refusal, { status: number; code: string }> = {
  MissingAuthentication: { status: 403, code: 'AccessDenied' },
  MalformedAuthentication: { status: 400, code: 'AuthorizationHeaderMalformed' },
  InvalidAccessKeyId: { status: 403, code: 'InvalidAccessKeyId' },
  InvalidToken: { status: 403, code: 'InvalidToken' },
  SignatureDoesNotMatch: { status: 403, code: 'SignatureDoesNotMatch' },
  RequestTimeTooSkewed: { status: 403, code: 'RequestTimeTooSkewed' },
  RequestExpired: { status: 403, code: 'AccessDenied' },
  AccessDenied: { status: 403, code: 'AccessDenied' },
  IncompleteBody: { status: 400, code: 'IncompleteBody' },
  XAmzContentSHA256Mismatch: { status: 400, code: 'XAmzContentSHA256Mismatch' },
  RequestTooLarge: { status: 400, code: 'EntityTooLarge' },
};

// The JSON services answer authentication failures from their common front end (coral), as AWS does.
const JSON_CODES: Record<Refusal, { status: number; type: string }> = {
  MissingAuthentication: { status: 403, type: 'com.amazon.coral.service#MissingAuthenticationTokenException' },
  MalformedAuthentication: { status: 403, type: 'com.amazon.coral.service#IncompleteSignatureException' },
  InvalidAccessKeyId: { status: 403, type: 'com.amazon.coral.service#UnrecognizedClientException' },
  InvalidToken: { status: 403, type: 'com.amazon.coral.service#UnrecognizedClientException' },
  SignatureDoesNotMatch: { status: 403, type: 'com.amazon.coral.service#InvalidSignatureException' },
  RequestTimeTooSkewed: { status: 403, type: 'com.amazon.coral.service#InvalidSignatureException' },
  RequestExpired: { status: 403, type: 'com.amazon.coral.service#InvalidSignatureException' },
  AccessDenied: { status: 403, type: 'com.amazon.coral.service#AccessDeniedException' },
  IncompleteBody: { status: 400, type: 'com.amazon.coral.service#SerializationException' },
  XAmzContentSHA256Mismatch: { status: 403, type: 'com.amazon.coral.service#InvalidSignatureException' },
  RequestTooLarge: { status: 413, type: 'com.amazon.coral.service#RequestEntityTooLargeException' },
};

const xmlEscape = (text: string) => text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** Answers `refusal` in the service's own error format (S3: XML `<Error>`; DynamoDB and Step Functions: JSON `__type`). */
export function sendRefusal(res: ServerResponse, service: GatedService, method: string, refusal: Refusal, message: string): void {
  const requestId = randomUUID();
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (service === 's3') {
    const { status, code } = S3_CODES[refusal];
    const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message><RequestId>${requestId}</RequestId></Error>`;
    res.writeHead(status, { 'content-type': 'application/xml', 'x-amz-request-id': requestId, connection: 'close' });
    res.end(method === 'HEAD' ? undefined : body);
    return;
  }
  const { status, type } = JSON_CODES[refusal];
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.0',
    'x-amzn-requestid': requestId,
    'x-amzn-errortype': type.split('#')[1] ?? type,
    connection: 'close',
  });
  res.end(JSON.stringify({ __type: type, message }));
}
