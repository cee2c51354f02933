import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('a platform that synthesizes its workflows', () => {
  it('does it in a thread, silently: the CDK library never stays loaded in the platform process, and no deprecated CDK API is used', () => {
    // The compiled platform (dist/, built by pretest), as `slipway up` runs it, with an empty cache.
    const cacheDir = mkdtempSync(join(tmpdir(), 'slipway-synth-thread-'));
    try {
      const script = [
        "import { createRequire } from 'node:module';",
        "const { synthesizeWorkflowsCached } = await import('./dist/infra/local/engine/synthesized-workflows.js');",
        `const platform = await synthesizeWorkflowsCached(${JSON.stringify(cacheDir)});`,
        'const cdk = Object.keys(createRequire(import.meta.url).cache).filter((m) => m.includes("aws-cdk-lib"));',
        'console.log(JSON.stringify({ workflows: [...platform.workflows.keys()].sort(), cdk: cdk.length }));',
      ].join('\n');
      // JSII_DEPRECATED=fail: a deprecated CDK API in the app throws instead of printing a warning at every start.
      const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
        encoding: 'utf8',
        env: { ...process.env, JSII_DEPRECATED: 'fail' },
      });
      expect(run.status, run.stderr).toBe(0);
      const result = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? 'null') as { workflows: string[]; cdk: number };
      expect(result.workflows).toEqual([
        'slipway-build-and-deploy',
        'slipway-delete-project',
        'slipway-init-project',
        'slipway-rollback',
        'slipway-template-rollout',
      ]);
      expect(result.cdk).toBe(0);
      // Nothing printed on the way: no deprecation or other warning reaches the platform's output.
      expect(run.stderr).toBe('');
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });
});
