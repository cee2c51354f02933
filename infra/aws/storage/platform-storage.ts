import { Duration, RemovalPolicy, aws_dynamodb as dynamodb, aws_s3 as s3, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ENTITY_INDEX } from '../../../handlers/lib/table/keys.js';
import { acknowledge } from '../shared/nag.js';
import { stageName } from '../../../handlers/lib/stage.js';
import { stageOf } from '../shared/stage.js';

/**
 * The platform's state, shared by the three systems: the table, the ticket key and the three
 * buckets. Kept in one construct so each system receives exactly the pieces it is granted on.
 */
export class PlatformStorage extends Construct {
  /** Users, projects, deployments, subscriptions, audit and execution records (one table, pk/sk). */
  readonly table: dynamodb.TableV2;
  /** The ticket-signing key: the API signs with it, every pipeline step verifies with it. */
  readonly ticketSecret: secretsmanager.Secret;
  /** The key that encrypts project secrets at rest (AES-256-GCM): read by the API and *Prepare build* only. */
  readonly envSecret: secretsmanager.Secret;
  /** Uploaded source archives; expire after a week. */
  readonly sourceBucket: s3.Bucket;
  /** Build bundles and logs; each build may write only `builds/{its id}/`; expire after 3 days. */
  readonly buildBucket: s3.Bucket;
  /** Promoted deployments, `{project}/deployments/{id}/…`, read by CloudFront only. */
  readonly projectBucket: s3.Bucket;
  /** Server access logs of the buckets above. */
  readonly accessLogBucket: s3.Bucket;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new dynamodb.TableV2(this, 'PlatformTable', {
      tableName: stageName(stageOf(this), 'platform'),
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // Webhook deliveries, sessions and audit entries past retention carry `expiresAt` (epoch seconds).
      timeToLiveAttribute: 'expiresAt',
      // Project list and push webhooks query projects here instead of scanning the table.
      globalSecondaryIndexes: [
        {
          indexName: ENTITY_INDEX.name,
          partitionKey: { name: ENTITY_INDEX.partitionKey, type: dynamodb.AttributeType.STRING },
          sortKey: { name: ENTITY_INDEX.sortKey, type: dynamodb.AttributeType.STRING },
        },
      ],
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.ticketSecret = new secretsmanager.Secret(this, 'TicketKey', {
      description: 'Slipway ticket-signing key (base64, 32 bytes)',
      generateSecretString: { passwordLength: 44, excludePunctuation: true },
    });
    acknowledge(this.ticketSecret, {
      'AwsSolutions-SMG4':
        'The ticket key is cached by the API and every pipeline Lambda and tickets live 2 hours: automatic rotation would make signer and verifiers disagree mid-execution until verification accepts two keys. Rotate by hand while no executions run.',
    });
    this.envSecret = new secretsmanager.Secret(this, 'EnvKey', {
      // A random string; the AES-256 key is its SHA-256 (handlers/lib/env-key.ts).
      description: 'Slipway project-secret encryption key material',
      generateSecretString: { passwordLength: 44, excludePunctuation: true },
    });
    acknowledge(this.envSecret, {
      'AwsSolutions-SMG4':
        'Rotating the key would make every stored project secret unreadable: it needs a re-encryption pass, done by hand.',
    });
    this.accessLogBucket = new s3.Bucket(this, 'AccessLogBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(90) }],
    });
    const bucket = (bucketId: string, expireDays?: number) =>
      new s3.Bucket(this, bucketId, {
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        enforceSSL: true,
        encryption: s3.BucketEncryption.S3_MANAGED,
        serverAccessLogsBucket: this.accessLogBucket,
        serverAccessLogsPrefix: `${bucketId}/`,
        lifecycleRules: expireDays ? [{ expiration: Duration.days(expireDays) }] : [],
      });
    this.sourceBucket = bucket('SourceBucket', 7);
    this.buildBucket = bucket('BuildBucket', 3);
    this.projectBucket = bucket('ProjectBucket');
  }

  /** The environment every platform Lambda reads its storage names from. */
  environment(): Record<string, string> {
    return {
      SLIPWAY_TABLE: this.table.tableName,
      SLIPWAY_SOURCE_BUCKET: this.sourceBucket.bucketName,
      SLIPWAY_BUILD_BUCKET: this.buildBucket.bucketName,
      SLIPWAY_PROJECT_BUCKET: this.projectBucket.bucketName,
      SLIPWAY_TICKET_SECRET_ARN: this.ticketSecret.secretArn,
      // Only the functions granted read on it (the API, Prepare build) can use it.
      SLIPWAY_ENV_SECRET_ARN: this.envSecret.secretArn,
    };
  }
}
