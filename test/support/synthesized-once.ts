import { readFileSync, writeFileSync } from 'node:fs';
import { inject } from 'vitest';
import {
  synthesizeWorkflows,
  type SynthesizedPlatform,
  type SynthesizedWorkflow,
  type TemplateResource,
} from '../../infra/local/engine/synthesized-workflows.js';

/** What the global setup writes: the synthesized platform with its Map as entries. */
interface SerializedPlatform {
  workflows: Array<[string, SynthesizedWorkflow]>;
  resources: Record<string, TemplateResource>;
  projectStackTemplateVersion?: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** The file holding this run's synthesized workflows (written once by the global setup). */
    synthesizedPlatformFile: string;
  }
}

export async function writeSynthesizedPlatform(file: string): Promise<void> {
  const platform = await synthesizeWorkflows();
  const serialized: SerializedPlatform = {
    workflows: [...platform.workflows],
    resources: platform.resources,
    ...(platform.projectStackTemplateVersion ? { projectStackTemplateVersion: platform.projectStackTemplateVersion } : {}),
  };
  writeFileSync(file, JSON.stringify(serialized));
}

let cached: SerializedPlatform | undefined;

/**
 * The CDK app's workflows as this run synthesized them, once for every test file: a fresh synth
 * per file cost seconds each. Each caller gets its own copy, as a fresh synth would give.
 */
export async function synthesizedOnce(): Promise<SynthesizedPlatform> {
  const file = inject('synthesizedPlatformFile');
  if (!file) return synthesizeWorkflows();
  cached ??= JSON.parse(readFileSync(file, 'utf8')) as SerializedPlatform;
  const copy = structuredClone(cached);
  return {
    workflows: new Map(copy.workflows),
    resources: copy.resources,
    ...(copy.projectStackTemplateVersion ? { projectStackTemplateVersion: copy.projectStackTemplateVersion } : {}),
  };
}
