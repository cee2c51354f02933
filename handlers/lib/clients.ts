import type { S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { bound } from './bindings/platform.js';

// The current platform's SDK clients: pointed at AWS by infra/aws, at the local servers (endpoint
// and keys given explicitly) by infra/local, so the same code runs on both.
const UNBOUND = 'no SDK clients are bound: the entry point must bind the platform first';

export function s3Client(): S3Client {
  return bound('objectStore', UNBOUND);
}

export function dynamoClient(): DynamoDBDocumentClient {
  return bound('table', UNBOUND);
}

export function sfnClient(): SFNClient {
  return bound('executions', UNBOUND).client;
}
