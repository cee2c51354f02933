import * as v from 'valibot';
import { instrumented } from '../lib/observability.js';
import { queryProjectItems } from '../lib/table/projects.js';

/**
 * The bookkeeping steps of the template rollout (workflows/template-rollout.ts): *List projects*
 * (every project, from the table's entity index, paged), *Plan stack upgrade* (is one project's
 * stack behind, and the parameters that keep it as it is) and *Report rollout* (the per-project
 * outcomes as lists). The rollout is started by the platform or an operator, never for a user, so
 * it carries no ticket; these steps read only project names and what the state machine passes.
 */

const StackTag = v.object({ Key: v.string(), Value: v.string() });
const StackParameter = v.looseObject({ ParameterKey: v.string() });

const ListInput = v.object({ action: v.literal('list'), executionName: v.string() });
const PlanInput = v.object({
  action: v.literal('plan'),
  executionName: v.string(),
  templateVersion: v.pipe(v.string(), v.minLength(1)),
  /** The stack tag that names a stack's template version (infra/aws/projects/project-stack.ts TEMPLATE_VERSION_TAG). */
  versionTag: v.pipe(v.string(), v.minLength(1)),
  /** The stack as DescribeStacks gave it (workflows/steps.ts keeps it at `$.stack.described`). */
  stack: v.looseObject({
    Parameters: v.optional(v.array(StackParameter)),
    Tags: v.optional(v.array(StackTag)),
  }),
});
const ItemOutcome = v.variant('outcome', [
  v.object({ project: v.string(), outcome: v.picklist(['upgraded', 'skipped']), reason: v.optional(v.string()) }),
  v.object({ project: v.string(), outcome: v.literal('failed'), state: v.string(), error: v.string(), cause: v.string() }),
]);
const ReportInput = v.object({
  action: v.literal('report'),
  executionName: v.string(),
  templateVersion: v.string(),
  results: v.array(ItemOutcome),
});
const RolloutInput = v.variant('action', [ListInput, PlanInput, ReportInput]);

/** A stack parameter left as the stack has it: what an upgrade passes for every parameter it finds. */
export interface KeptParameter {
  ParameterKey: string;
  UsePreviousValue: true;
}

export interface StackUpgradePlan {
  /** The stack already carries the current template version: nothing to do. */
  upToDate: boolean;
  /** Every parameter the stack has, kept as it is (UsePreviousValue): an upgrade changes nothing a tenant serves. */
  parameters: KeptParameter[];
}

export interface RolloutReport {
  templateVersion: string;
  upgraded: string[];
  skipped: string[];
  failed: Array<{ project: string; state: string; error: string; cause: string }>;
}

/** Whether a described stack is behind `templateVersion`, and the update that keeps its parameters. */
export function planStackUpgrade(
  stack: v.InferOutput<typeof PlanInput>['stack'],
  current: { templateVersion: string; versionTag: string },
): StackUpgradePlan {
  const tagged = stack.Tags?.find((tag) => tag.Key === current.versionTag)?.Value;
  return {
    upToDate: tagged === current.templateVersion,
    parameters: (stack.Parameters ?? []).map((p) => ({ ParameterKey: p.ParameterKey, UsePreviousValue: true })),
  };
}

export function reportRollout(templateVersion: string, results: v.InferOutput<typeof ReportInput>['results']): RolloutReport {
  const report: RolloutReport = { templateVersion, upgraded: [], skipped: [], failed: [] };
  for (const result of results) {
    if (result.outcome === 'failed') {
      report.failed.push({ project: result.project, state: result.state, error: result.error, cause: result.cause });
    } else report[result.outcome].push(result.project);
  }
  return report;
}

async function templateRollout(event: unknown): Promise<{ projects: string[] } | StackUpgradePlan | RolloutReport> {
  const parsed = v.safeParse(RolloutInput, event);
  if (!parsed.success) {
    throw new Error(`rollout input field ${v.getDotPath(parsed.issues[0]) ?? '(root)'} is invalid: ${parsed.issues[0].message}`);
  }
  const input = parsed.output;
  switch (input.action) {
    case 'list':
      return { projects: (await queryProjectItems()).map((project) => project.name) };
    case 'plan':
      return planStackUpgrade(input.stack, input);
    case 'report':
      return reportRollout(input.templateVersion, input.results);
  }
}

export const handler = instrumented('template-rollout', templateRollout);
