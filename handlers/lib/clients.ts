import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';

// Endpoints come from the SDK's own AWS_ENDPOINT_URL_<SERVICE> variables, so the
// same code reaches AWS or the local servers; only path-style S3 needs a flag.
let s3: S3Client | undefined;
let dynamo: DynamoDBDocumentClient | undefined;
let sfn: SFNClient | undefined;

export function s3Client(): S3Client {
  s3 ??= new S3Client({ forcePathStyle: process.env.SLIPWAY_S3_PATH_STYLE === '1' });
  return s3;
}

export function dynamoClient(): DynamoDBDocumentClient {
  dynamo ??= DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return dynamo;
}

export function sfnClient(): SFNClient {
  sfn ??= new SFNClient({});
  return sfn;
}
