import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { writeSynthesizedPlatform } from './synthesized-once.js';

/** Synthesizes the CDK app's workflows once per run, for every test file that runs an engine. */
export default async function setup(project: TestProject): Promise<() => void> {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-test-synth-'));
  const file = join(dir, 'platform.json');
  await writeSynthesizedPlatform(file);
  project.provide('synthesizedPlatformFile', file);
  return () => rmSync(dir, { recursive: true, force: true });
}
