import { Stack, type StackProps, aws_batch as batch } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { PlatformStorage } from './storage/platform-storage.js';
import { PipelineSystem } from './pipeline/pipeline-system.js';

export { PIPELINE_HANDLERS } from './pipeline/pipeline-system.js';

export interface PipelineStackProps extends StackProps {
  buildTimeoutSeconds?: number;
}

/** Interim composition (storage + pipeline) until the internal and project systems land. */
export class PipelineStack extends Stack {
  readonly pipeline: PipelineSystem;
  get workflows(): PipelineSystem['workflows'] {
    return this.pipeline.workflows;
  }

  constructor(scope: Construct, id: string, props: PipelineStackProps = {}) {
    super(scope, id, props);
    const storage = new PlatformStorage(this, 'Storage');
    this.pipeline = new PipelineSystem(this, 'Pipeline', {
      storage,
      build: {
        jobQueue: batch.JobQueue.fromJobQueueArn(this, 'BuildJobQueue', this.formatArn({ service: 'batch', resource: 'job-queue', resourceName: 'slipway-builds' })),
        jobDefinition: batch.EcsJobDefinition.fromJobDefinitionArn(this, 'BuildJobDefinition', this.formatArn({ service: 'batch', resource: 'job-definition', resourceName: 'slipway-buildrunner' })),
      },
      projects: { projectStackTemplateUrl: `https://${storage.projectBucket.bucketRegionalDomainName}/_platform/project-stack.json` },
      buildTimeoutSeconds: props.buildTimeoutSeconds ?? 900,
    });
  }
}
