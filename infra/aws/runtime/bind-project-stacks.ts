import { bindProjectStacks } from '../../../handlers/lib/bindings/bound.js';
import { CloudFormationProjectStacks } from '../../../handlers/lib/bindings/project-stacks/cloudformation.js';

/**
 * Imported first by the bundle of the Lambda that updates project stacks (`handlerFunction`'s
 * `binds: ['project-stacks']`): binds CloudFormation before the handler loads. A separate module,
 * so only that bundle carries the CloudFormation client.
 */
bindProjectStacks(new CloudFormationProjectStacks());
