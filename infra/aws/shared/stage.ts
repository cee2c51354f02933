import type { IConstruct } from 'constructs';
import { DEFAULT_STAGE, parseStage } from '../../../handlers/lib/stage.js';

/** The construct context key a platform stack sets for everything inside it (and `cdk -c stage=…` sets for the app). */
export const STAGE_CONTEXT_KEY = 'stage';

/**
 * The stage of the platform `scope` belongs to: set on its SlipwayStack, so two stacks of one app
 * can be two stages. Constructs name their resources with `stageName(stageOf(this), …)`.
 */
export function stageOf(scope: IConstruct): string {
  const value: unknown = scope.node.tryGetContext(STAGE_CONTEXT_KEY);
  return typeof value === 'string' ? parseStage(value, `context.${STAGE_CONTEXT_KEY}`) : DEFAULT_STAGE;
}
