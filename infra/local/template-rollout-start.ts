import type { LocalServices } from './engine/task-bindings.js';
import { stateMachineArn, type LocalStepFunctions } from './engine/local-step-functions.js';

/** The stack tag that names a stack's template version (infra/aws/projects/project-stack.ts TEMPLATE_VERSION_TAG, kept out of this CDK-free module). */
const TEMPLATE_VERSION_TAG = 'slipway:template-version';

/** What a `slipway up` found behind and the rollout it started for them. */
export interface StartedRollout {
  executionArn: string;
  /** The project stacks whose template version is not the current one. */
  behind: string[];
}

type DescribedStack = { StackName: string; StackStatus: string; Tags?: Array<{ Key: string; Value: string }> };

/**
 * The local counterpart of the AWS trigger (infra/aws/pipeline/template-rollout-trigger.ts): when
 * `slipway up` starts, any project stack whose template version differs from `currentVersion` (the
 * platform was updated since it was last changed) starts slipway-template-rollout, which upgrades
 * it. Nothing behind, nothing started: an unchanged platform's start adds no execution; nor does a
 * start that redrove a rollout the last run left running.
 */
export async function startRolloutIfBehind(
  engine: Pick<LocalStepFunctions, 'startExecution' | 'listExecutions'>,
  cloudformation: LocalServices['cloudformation'],
  currentVersion: string,
  now: Date = new Date(),
): Promise<StartedRollout | undefined> {
  const { Stacks } = (await cloudformation('describeStacks', {})) as { Stacks: DescribedStack[] };
  const behind = Stacks.filter(
    (stack) => !stack.StackStatus.startsWith('DELETE') && stack.Tags?.find((t) => t.Key === TEMPLATE_VERSION_TAG)?.Value !== currentVersion,
  ).map((stack) => stack.StackName);
  if (behind.length === 0) return undefined;
  // A rollout the last run left unfinished was redriven by reconcile: it covers these stacks.
  const machine = stateMachineArn('slipway-template-rollout');
  if (engine.listExecutions({ stateMachineArn: machine, statusFilter: 'RUNNING' }).length > 0) return undefined;
  const name = `template-rollout-${currentVersion}-${now.getTime().toString(36)}`;
  const { executionArn } = engine.startExecution(machine, name, JSON.stringify({ templateVersion: currentVersion }));
  return { executionArn, behind };
}

/** One line when the rollout starts and one when it ends, naming the stacks that failed (the execution's output has each cause). */
export function reportRollout(engine: Pick<LocalStepFunctions, 'settled'>, rollout: StartedRollout): void {
  const name = rollout.executionArn.split(':').at(-1) ?? rollout.executionArn;
  process.stdout.write(`slipway: ${rollout.behind.length} project stack(s) behind the platform's template: rolling it out (${name})\n`);
  void engine.settled(rollout.executionArn).then((record) => {
    const report = JSON.parse(record.output ?? 'null') as { upgraded?: string[]; failed?: Array<{ project: string }> } | null;
    if (record.status !== 'SUCCEEDED' || !report) {
      // A shutdown leaves it RUNNING: the next start resumes it and reports then.
      if (record.status !== 'RUNNING') process.stdout.write(`slipway: template rollout ${name} ended ${record.status}\n`);
      return;
    }
    const failed = report.failed ?? [];
    process.stdout.write(
      `slipway: template rollout ${name}: ${report.upgraded?.length ?? 0} upgraded${failed.length ? `, failed: ${failed.map((f) => f.project).join(', ')}` : ''}\n`,
    );
  });
}
