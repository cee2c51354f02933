import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFunctionHost, type FunctionHost } from '../../infra/local/function-host/index.js';
import { isStreamed } from '../../handlers/lib/function-response.js';
import { startBareS3, type BareS3 } from '../support/bare-s3.js';

/**
 * Attack: a tenant's streaming function declares Lambda's HTTP integration stream and then writes
 * bytes without ever ending the metadata prelude, so the host would gather them forever looking for
 * the head. The host gives up past the prelude limit (1 MB): the visitor gets a plain 502, the log
 * names why, and the worker's stream is closed.
 */
const BUCKET = 'slipway-projects';
const FLOOD = `export const handler = awslambda.streamifyResponse(async (event, stream) => {
  stream.setContentType('application/vnd.awslambda.http-integration-response');
  const junk = Buffer.alloc(64 * 1024, 0x61);
  for (let i = 0; i < 64 && !stream.destroyed; i++) {
    if (!stream.write(junk)) await new Promise((resolve) => stream.once('drain', resolve));
  }
  stream.end();
});
`;

let dir: string;
let bare: BareS3 | undefined;
let functionHost: FunctionHost;
const logs: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'slipway-prelude-flood-'));
  bare = await startBareS3(dir, [BUCKET]);
  await bare.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'flood/deployments/d-1/server/handler.js', Body: FLOOD }));
  functionHost = createFunctionHost({
    stateDir: join(dir, 'state'),
    projectBucket: BUCKET,
    s3: bare.s3,
    onLog: (project, deploymentId, line) => logs.push(`${project}/${deploymentId}: ${line}`),
  });
}, 30_000);

afterAll(async () => {
  await functionHost?.close();
  await bare?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a streaming function that never ends its prelude', () => {
  it('is answered 502 once the prelude passes 1 MB, not gathered without end', async () => {
    const event = {
      version: '2.0',
      routeKey: '$default',
      rawPath: '/',
      rawQueryString: '',
      headers: { host: 'flood.localhost' },
      requestContext: { http: { method: 'GET', path: '/', sourceIp: '127.0.0.1' }, requestId: 'req-flood' },
      isBase64Encoded: false,
    } as unknown as Parameters<FunctionHost['invoke']>[2];
    const response = await functionHost.invoke('flood', 'd-1', event);
    expect(isStreamed(response)).toBe(false);
    expect(response.statusCode).toBe(502);
    expect(String(response.body)).not.toContain('aaaa');
    expect(
      logs.some((line) =>
        line.includes(
          "request req-flood answered 502: InvalidFunctionResponse: the response stream's metadata prelude exceeds 1048576 bytes",
        ),
      ),
    ).toBe(true);
  });
});
