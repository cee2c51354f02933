import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, PutObjectCommand, type GetObjectCommandOutput } from '@aws-sdk/client-s3';
import { s3Client } from './s3-client.js';

export const MAX_ARCHIVE_BYTES = 200 * 1024 * 1024;

/** Downloads an object to `file`, refusing more than `maxBytes`; returns its size. */
export async function downloadToFile(bucket: string, key: string, file: string, maxBytes = MAX_ARCHIVE_BYTES): Promise<number> {
  let response: GetObjectCommandOutput;
  try {
    response = await s3Client().send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'NoSuchKey' || name === 'NotFound') throw new Error(`the source archive s3://${bucket}/${key} does not exist`);
    throw new Error(`could not download the source archive s3://${bucket}/${key}: ${(error as Error).message}`);
  }
  if (!response.Body) throw new Error(`s3://${bucket}/${key} has no body`);
  if (response.ContentLength !== undefined && response.ContentLength > maxBytes) {
    throw new Error(`the source archive is ${response.ContentLength} bytes, over the limit of ${maxBytes} bytes`);
  }
  let bytes = 0;
  const limit = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      if (bytes > maxBytes) callback(new Error(`the source archive is over the limit of ${maxBytes} bytes`));
      else callback(null, chunk);
    },
  });
  await pipeline(response.Body as Readable, limit, createWriteStream(file, { mode: 0o600 }));
  return bytes;
}

/**
 * Uploads a file (at most a few hundred MB: the bundle limit). Sent as one buffer: a streamed body
 * makes the SDK use aws-chunked encoding with a trailing checksum, which local S3 servers store verbatim.
 */
export async function uploadFile(bucket: string, key: string, file: string, contentType: string): Promise<number> {
  const body = await readFile(file);
  await s3Client().send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }));
  return body.length;
}

export async function uploadText(bucket: string, key: string, body: string): Promise<void> {
  await s3Client().send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'text/plain; charset=utf-8' }));
}
