import * as v from 'valibot';
import { parseSetting } from './setting.js';

/**
 * Stages: copies of the whole platform side by side in one account (`cdk deploy -c stage=dev`).
 * Every physical name the platform chooses goes through stageName, so two stages never share a
 * state machine, table, policy or tenant stack, and neither one's IAM patterns (`slipway-project-*`)
 * can match the other's resources. Only valibot here: the router bundle imports this module.
 */

/** The stage whose names are the ones the platform had before stages: an existing deployment keeps its table, state machines and tenant stacks. */
export const DEFAULT_STAGE = 'prod';

/**
 * First words of names the default stage uses (`slipway-project-*`, `slipway-init-project`, …): a
 * stage named after one would put its names under the default stage's patterns.
 */
const RESERVED_STAGES = ['project', 'init', 'build', 'builds', 'buildrunner', 'delete', 'rollback', 'rollout', 'tenant', 'api', 'platform'];

/**
 * A stage is one word of at most 7 lower-case letters and digits: no hyphen, so a stage's
 * `slipway-{stage}-` prefix is never a prefix of another stage's names, and short enough that a
 * tenant function `slipway-{stage}-project-{40-character project}` stays within Lambda's 64.
 */
const MUST_BE = 'must be 1 to 7 lower-case letters or digits starting with a letter, and not a word the platform names resources with';
const Stage = v.pipe(
  v.string(),
  v.regex(/^[a-z][a-z0-9]{0,6}$/, MUST_BE),
  v.check((stage) => !RESERVED_STAGES.includes(stage), MUST_BE),
);

/** The stage from a setting's text (unset: the default stage); a bad value throws naming `field`. */
export function parseStage(value: string | undefined, field: string): string {
  return parseSetting(Stage, value, field) ?? DEFAULT_STAGE;
}

/**
 * The physical name of the platform resource `name` in `stage`: `slipway-{name}` in the default
 * stage (today's names), `slipway-{stage}-{name}` in any other. `name` may be a pattern
 * (`project-*`) or end in a separator (`project-`) for a prefix.
 */
export function stageName(stage: string, name: string): string {
  return `${stagePrefix(stage)}-${name}`;
}

/** What every name of `stage` starts with: `slipway` in the default stage, `slipway-{stage}` in any other. */
export function stagePrefix(stage: string): string {
  return stage === DEFAULT_STAGE ? 'slipway' : `slipway-${stage}`;
}

/** A project's stack in `stage`; its server function has the same name. */
export function projectStackName(stage: string, project: string): string {
  return stageName(stage, `project-${project}`);
}
