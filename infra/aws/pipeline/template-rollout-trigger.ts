import { Aws, aws_events as events, aws_events_targets as targets, type aws_stepfunctions as sfn } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/**
 * Starts the template rollout once each update of the platform's own stack has completed (its
 * CloudFormation "Stack Status Change" event, UPDATE_COMPLETE): by then the new per-project template
 * and the state machines that use it are in place. An update that left the template as it was
 * starts a rollout too, which skips every stack (one DescribeStacks each). No function, nothing to
 * maintain: EventBridge starts the execution with its own role, allowed only that state machine.
 */
export class TemplateRolloutTrigger extends Construct {
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: { stateMachine: sfn.IStateMachine; templateVersion: string }) {
    super(scope, id);
    this.rule = new events.Rule(this, 'AfterPlatformUpdate', {
      description: 'Slipway: after each platform update, roll the per-project template out to every tenant stack',
      eventPattern: {
        source: ['aws.cloudformation'],
        detailType: ['CloudFormation Stack Status Change'],
        detail: { 'stack-id': [Aws.STACK_ID], 'status-details': { status: ['UPDATE_COMPLETE'] } },
      },
      targets: [
        new targets.SfnStateMachine(props.stateMachine, {
          // The version this update rolls out: shown as the execution's input in the console.
          input: events.RuleTargetInput.fromObject({ templateVersion: props.templateVersion }),
        }),
      ],
    });
  }
}
