import { CloudFormationClient, UpdateStackCommand, type UpdateStackCommandInput } from '@aws-sdk/client-cloudformation';
import type { ProjectStacks } from '../types.js';

/** ProjectStacks on AWS: CloudFormation's API, with the calling Lambda's role. */
export class CloudFormationProjectStacks implements ProjectStacks {
  constructor(private readonly client = new CloudFormationClient({})) {}

  async update(request: UpdateStackCommandInput): Promise<void> {
    await this.client.send(new UpdateStackCommand(request));
  }
}
