import { S3Client } from '@aws-sdk/client-s3';
import { unixSocketAgent } from './s3-socket-agent.js';

let s3: S3Client | undefined;

/**
 * The build job's S3 client. The endpoint comes from the SDK's own AWS_ENDPOINT_URL_S3; locally
 * SLIPWAY_S3_PATH_STYLE asks for path-style addressing and SLIPWAY_S3_SOCKET names the only way a
 * sandboxed build reaches S3 (see s3-socket-agent.ts).
 */
export function s3Client(): S3Client {
  const socket = process.env.SLIPWAY_S3_SOCKET;
  s3 ??= new S3Client({
    forcePathStyle: process.env.SLIPWAY_S3_PATH_STYLE === '1',
    ...(socket ? { requestHandler: { httpAgent: unixSocketAgent(socket) } } : {}),
  });
  return s3;
}

/** The client a build job runs with when its code runs inside another process (the API tests' stand-in builds). */
export function useS3Client(client: S3Client): void {
  s3 = client;
}
