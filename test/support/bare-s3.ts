import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';

export interface BareS3 {
  endpoint: string;
  s3: S3Client;
  close(): Promise<void>;
}

/**
 * s3rver alone, without the SigV4 gate the platform puts in front of it, for tests of one piece
 * (the edge, the function host, the build log) that only need objects to read and write.
 */
export async function startBareS3(dir: string, buckets: string[]): Promise<BareS3> {
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    directory: join(dir, 's3'),
    silent: true,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const s3 = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    // s3rver's own fixed keys: this server is reachable by the test alone.
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  return {
    endpoint,
    s3,
    async close() {
      s3.destroy();
      await server.close();
    },
  };
}
