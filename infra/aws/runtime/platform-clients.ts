import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Operation } from '../../../handlers/lib/ticket.js';
import type { Platform } from '../../../handlers/lib/bindings/types.js';
import { dnsTxtResolver } from '../../../handlers/lib/bindings/txt-resolver/dns.js';

/** The variable CDK sets to each workflow's state machine ARN (on the API function only). */
const MACHINE_VARIABLES: Record<Operation, string> = {
  'init-project': 'SLIPWAY_STATE_MACHINE_INIT_PROJECT',
  'build-deploy': 'SLIPWAY_STATE_MACHINE_BUILD_DEPLOY',
  'delete-project': 'SLIPWAY_STATE_MACHINE_DELETE_PROJECT',
  rollback: 'SLIPWAY_STATE_MACHINE_ROLLBACK',
};

/**
 * The SDK clients of an AWS Lambda's platform: region and credentials from the Lambda runtime, as
 * the SDK reads them by default; TXT lookups through the Lambda's own resolver. A state machine the function was not given is an empty ARN, which
 * `stateMachineArnFor` refuses by name.
 */
export function awsPlatformClients(
  env: NodeJS.ProcessEnv = process.env,
): Pick<Platform, 'objectStore' | 'table' | 'executions' | 'txtResolver'> {
  const stateMachines = Object.fromEntries(
    Object.entries(MACHINE_VARIABLES).map(([operation, variable]) => [operation, env[variable] ?? '']),
  ) as Record<Operation, string>;
  return {
    objectStore: new S3Client({}),
    table: DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } }),
    executions: {
      client: new SFNClient({}),
      stateMachines,
      ...(env.SLIPWAY_STATE_MACHINE_TEMPLATE_ROLLOUT ? { templateRollout: env.SLIPWAY_STATE_MACHINE_TEMPLATE_ROLLOUT } : {}),
    },
    txtResolver: dnsTxtResolver(),
  };
}
