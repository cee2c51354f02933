import type { IncomingHttpHeaders } from 'node:http';

/** The IAM action and resource ARN a path-style S3 request needs, as a session policy names them. */
export interface S3Operation {
  action: string;
  resource: string;
}

// Query parameters that do not change which object operation a request is.
const NEUTRAL_PARAMETERS = /^(x-id|versionId|partNumber|uploadId|uploads|response-[a-z-]+|x-amz-.*|X-Amz-.*)$/;
const LIST_PARAMETERS =
  /^(x-id|list-type|prefix|delimiter|max-keys|start-after|continuation-token|encoding-type|fetch-owner|marker|X-Amz-.*|x-amz-.*)$/;

/**
 * Classifies a request to the local S3 for policy evaluation: the object operations a build
 * performs (Get/Put/Delete, multipart parts count as PutObject as on AWS) and bucket listing.
 * Anything else, or a key with `.`/`..` segments a file store could resolve elsewhere, is
 * undefined, which a session policy never allows.
 */
export function s3Operation(
  method: string,
  path: string,
  query: Record<string, string | string[]>,
  headers: IncomingHttpHeaders,
): S3Operation | undefined {
  const slash = path.indexOf('/', 1);
  let bucket: string;
  let key: string;
  try {
    bucket = decodeURIComponent(slash < 0 ? path.slice(1) : path.slice(1, slash));
    key = slash < 0 ? '' : decodeURIComponent(path.slice(slash + 1));
  } catch {
    return undefined;
  }
  if (!bucket || bucket.includes('/')) return undefined;
  const parameters = Object.keys(query);
  if (!key) {
    const listing = (method === 'GET' || method === 'HEAD') && parameters.every((name) => LIST_PARAMETERS.test(name));
    return listing ? { action: 's3:ListBucket', resource: `arn:aws:s3:::${bucket}` } : undefined;
  }
  if (key.split('/').some((segment) => segment === '.' || segment === '..')) return undefined;
  if (!parameters.every((name) => NEUTRAL_PARAMETERS.test(name))) return undefined;
  const resource = `arn:aws:s3:::${bucket}/${key}`;
  const multipart = 'uploadId' in query || 'uploads' in query;
  switch (method) {
    case 'GET':
    case 'HEAD':
      return multipart ? undefined : { action: 's3:GetObject', resource };
    case 'PUT':
      // A copy reads another object: not something a scoped build does.
      return headers['x-amz-copy-source'] ? undefined : { action: 's3:PutObject', resource };
    case 'POST':
      return multipart ? { action: 's3:PutObject', resource } : undefined;
    case 'DELETE':
      return { action: 'uploadId' in query ? 's3:AbortMultipartUpload' : 's3:DeleteObject', resource };
    default:
      return undefined;
  }
}
