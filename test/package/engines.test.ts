import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');
interface Manifest {
  engines?: { node?: unknown };
  packages?: Record<string, { dev?: boolean; optional?: boolean }>;
}
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Manifest;
const ours = String(readJson(join(ROOT, 'package.json')).engines?.node);

/** Every installed package a user of the CLI gets (`npm install -g`: the lockfile's non-dev entries) and the Node versions it declares. */
function productionEngines(): Array<{ path: string; node: string }> {
  const lock = readJson(join(ROOT, 'package-lock.json'));
  const found: Array<{ path: string; node: string }> = [];
  for (const [path, entry] of Object.entries(lock.packages ?? {})) {
    if (path === '' || entry.dev) continue;
    const manifest = join(ROOT, path, 'package.json');
    // Optional packages for other platforms (esbuild's binaries) are not installed here.
    if (!existsSync(manifest)) {
      expect(entry.optional, `${path} is in the lockfile but not installed`).toBe(true);
      continue;
    }
    const node = readJson(manifest).engines?.node;
    if (typeof node === 'string') found.push({ path, node });
  }
  return found;
}

describe("package.json's engines.node", () => {
  it('asks for no Node version that an installed production dependency refuses (npm would warn EBADENGINE)', () => {
    const engines = productionEngines();
    // aws-local-stepfunctions declares engines: a tree that lost them all would make this test vacuous.
    expect(engines.map((e) => e.path)).toContain('node_modules/aws-local-stepfunctions');
    const refusing = engines.filter(({ node }) => !semver.subset(ours, node));
    expect(refusing, `engines.node is ${ours}`).toEqual([]);
  });

  it('is what the README says, and what the build image and the Lambdas run is inside it', () => {
    const minimum = semver.minVersion(ours)?.major;
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(readme).toMatch(new RegExp(`Node ${minimum}\\s+or newer`));
    expect(readme).not.toMatch(/Node 20\s+or newer/);
    const dockerfile = readFileSync(join(ROOT, 'buildrunner', 'Dockerfile'), 'utf8');
    for (const [, major] of dockerfile.matchAll(/^FROM node:(\d+)/gm))
      expect(semver.satisfies(`${major}.99.0`, ours), `node:${major}`).toBe(true);
    const lambdaRuntimes = readFileSync(join(ROOT, 'infra', 'aws', 'shared', 'handler-function.ts'), 'utf8').matchAll(/NODEJS_(\d+)_X/g);
    for (const [, major] of lambdaRuntimes) expect(semver.satisfies(`${major}.99.0`, ours), `NODEJS_${major}_X`).toBe(true);
  });
});
