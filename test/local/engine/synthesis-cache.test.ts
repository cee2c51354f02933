import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synthesizeWorkflowsCached } from '../../../infra/local/engine/synthesized-workflows.js';
import { synthesizedOnce } from '../../support/synthesized-once.js';

/**
 * `slipway up` keeps the synthesized workflows under a digest of the modules they are made of, so
 * a restart skips the seconds a synthesis takes; what it gets must be exactly what CDK synthesizes.
 */
const cacheDir = mkdtempSync(join(tmpdir(), 'slipway-synth-cache-'));
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

describe('synthesized workflows cache', () => {
  it('returns what CDK synthesizes, validated, and the second start reads the same file without synthesizing', async () => {
    // This run's own synthesizeWorkflows() (the global setup's): a second fresh synthesis here would cost seconds for the same result.
    const fresh = await synthesizedOnce();
    const first = await synthesizeWorkflowsCached(cacheDir);
    const files = readdirSync(cacheDir);
    expect(files).toEqual([expect.stringMatching(/^synthesized-[0-9a-f]{32}\.json$/)]);
    const written = statSync(join(cacheDir, files[0] as string)).mtimeMs;

    const second = await synthesizeWorkflowsCached(cacheDir);
    expect(statSync(join(cacheDir, files[0] as string)).mtimeMs).toBe(written);
    for (const platform of [first, second]) {
      expect(platform.validated).toBe(true);
      expect([...platform.workflows.keys()].sort()).toEqual([...fresh.workflows.keys()].sort());
      for (const [name, workflow] of fresh.workflows) expect(platform.workflows.get(name)?.definition, name).toEqual(workflow.definition);
      expect(platform.resources).toEqual(fresh.resources);
    }
  }, 120_000);

  it('synthesizes again over a damaged cache file', async () => {
    const [file] = readdirSync(cacheDir);
    writeFileSync(join(cacheDir, file as string), '{"workflows": [');
    const platform = await synthesizeWorkflowsCached(cacheDir);
    expect(platform.workflows.get('slipway-build-and-deploy')?.definition).toMatchObject({ StartAt: 'Verify ticket' });
    expect(readdirSync(cacheDir)).toEqual([file]);
  }, 120_000);
});
