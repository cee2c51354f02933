import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoClient } from '../../handlers/lib/clients.js';
import { DEFAULT_NAMES } from '../../handlers/lib/config.js';
import { PROJECT_NAME_PATTERN } from '../../handlers/lib/names.js';
import { putDeploymentItem } from '../../handlers/lib/table/deployments.js';
import { deploymentKey } from '../../handlers/lib/table/keys.js';
import { putNewProject } from '../../handlers/lib/table/projects.js';
import {
  AWS_LIMITS,
  DEFAULT_ROUTE_CACHE_PROJECTS,
  checkAwsLimits,
  routeCacheBudget,
  routeCacheBytes,
} from '../../handlers/pipeline/bundle/aws-preflight.js';
import type { BundleManifest, ValidatedBundle } from '../../handlers/pipeline/bundle/validate-bundle.js';
import { handler as release } from '../../handlers/pipeline/release.js';
import { deploymentPrefix } from '../../handlers/pipeline/state.js';
import { putObject, startTestAws, ticketFor, type TestAws } from '../support/local-aws.js';

/**
 * The KeyValueStore's 5 MB under the cleanup rule: 200 projects × 20 deployments × 100 prerendered
 * routes. One project's history runs through the real Release handler (previews and a rollback
 * among its deployments) with the longest project name there is; what it holds in the route cache
 * after every release is measured. Projects never share entries and each is held to the same
 * share, so 200 of them hold at most 200 × that.
 */
let aws: TestAws;
beforeAll(async () => {
  aws = await startTestAws();
});
afterAll(async () => {
  await aws?.close();
});

const PROJECTS = 200;
const DEPLOYMENTS = 20;
const ROUTES = 100;

// 40 characters, the longest name a project can have: its pointers are as long as they get.
const project = `budget-${'x'.repeat(32)}z`;
const at = '2026-11-30T00:00:00.000Z';

/** Ids as the API makes them (`d-<ms base 36>-<8 hex>`), a minute apart. */
function deploymentId(k: number): string {
  return `d-${(Date.parse(at) + k * 60_000).toString(36)}-${(0x1a2b3c00 + k).toString(16)}`;
}

/** 100 prerendered pages with 20-character paths, and two static files. */
function manifestOf(k: number): BundleManifest {
  const prerendered = Object.fromEntries(
    Array.from({ length: ROUTES }, (_, i) => {
      const path = `/blog/post-${String(k).padStart(2, '0')}-title-${String(i).padStart(2, '0')}`;
      return [path, `prerendered${path}.html`];
    }),
  );
  return {
    version: 1,
    appDir: '_app',
    basePath: '',
    prerendered,
    static: { '/favicon.png': 'client/favicon.png', '/robots.txt': 'client/robots.txt' },
    handler: 'server/handler.js',
  };
}

function bundleOf(manifest: BundleManifest): ValidatedBundle {
  return {
    manifest,
    files: 0,
    bytes: 0,
    areaBytes: { client: 0, prerendered: 0, server: 0 },
    fileSizes: new Map(),
  } as unknown as ValidatedBundle;
}

async function setStatus(id: string, status: string): Promise<void> {
  await dynamoClient().send(
    new UpdateCommand({
      TableName: DEFAULT_NAMES.table,
      Key: deploymentKey(project, id),
      UpdateExpression: 'SET #status = :status',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':status': status },
    }),
  );
}

async function releaseAs(op: 'build-deploy' | 'rollback', id: string, preview?: string): Promise<void> {
  const executionName = `${project}--${op}--${id}`.slice(0, 80);
  const ticket = await ticketFor(op, project, executionName, { deploymentId: id, ...(preview ? { preview } : {}) });
  const stack = { described: { Outputs: [{ OutputKey: 'DeploymentVersion', OutputValue: '4294967295' }] } };
  await release({ executionName, state: { ticket, project, deploymentId: id, ...(preview ? { preview } : {}), stack } });
  await setStatus(id, 'LIVE');
}

/** Every entry of the route cache, as the file store holds it. */
function storeEntries(): Record<string, string> {
  return JSON.parse(readFileSync(join(aws.routeCacheDir, 'routes.json'), 'utf8')) as Record<string, string>;
}

describe('the route cache stays within the KeyValueStore’s 5 MB', () => {
  it(`${PROJECTS} projects × ${DEPLOYMENTS} deployments × ${ROUTES} prerendered routes: each project holds at most its share`, async () => {
    expect(project).toMatch(PROJECT_NAME_PATTERN);
    expect(project).toHaveLength(40);
    await putNewProject({ name: project, owner: 'alice', status: 'READY', createdAt: at });
    let most = 0;
    for (let k = 0; k < DEPLOYMENTS; k++) {
      const id = deploymentId(k);
      const manifest = manifestOf(k);
      // Validate output accepts it: a deployment of 100 such routes fits a deployment's part.
      expect(checkAwsLimits(bundleOf(manifest), id, routeCacheBudget())).toEqual([]);
      // Every fifth deployment is a preview of a new pull request's branch.
      const preview = k % 5 === 4 ? `pull-request-${k}` : undefined;
      await putDeploymentItem({
        id,
        project,
        status: 'BUILDING',
        createdAt: at,
        createdBy: 'alice',
        source: { bucket: DEFAULT_NAMES.sourceBucket, key: `sources/${project}/${id}.tar.gz` },
        ...(preview ? { preview } : {}),
      });
      await putObject(
        aws.s3,
        DEFAULT_NAMES.projectBucket,
        `${deploymentPrefix(project, id)}slipway-manifest.json`,
        JSON.stringify(manifest),
      );
      await releaseAs('build-deploy', id, preview);
      // A rollback half-way: production goes back to an earlier deployment, whose entries return.
      if (k === 12) await releaseAs('rollback', deploymentId(5));
      const entries = storeEntries();
      for (const [key, value] of Object.entries(entries)) {
        expect(Buffer.byteLength(key), key).toBeLessThanOrEqual(AWS_LIMITS.kvsKeyChars);
        expect(Buffer.byteLength(value), key).toBeLessThanOrEqual(AWS_LIMITS.kvsValueChars);
      }
      most = Math.max(most, routeCacheBytes(entries));
    }
    // What stays at the end: the live deployment, its rollback target, the newest preview.
    const held = new Set(Object.keys(storeEntries()).flatMap((key) => (key.startsWith('r:') ? [key.split(':')[1]] : [])));
    expect([...held].sort()).toEqual([deploymentId(17), deploymentId(18), deploymentId(19)].sort());

    // At the default setting: the platform unconfigured is sized for 200 projects.
    expect(aws.platform.routeCacheProjects).toBeUndefined();
    expect(DEFAULT_ROUTE_CACHE_PROJECTS).toBe(PROJECTS);
    expect(most).toBeLessThanOrEqual(routeCacheBudget().projectShareBytes);
    expect(PROJECTS * most).toBeLessThan(AWS_LIMITS.kvsTotalBytes);
    // Without the cleanup the same history would need this much per project: far over its share.
    const uncleaned = Array.from({ length: DEPLOYMENTS }, (_, k) =>
      routeCacheBytes(
        Object.fromEntries(Object.entries(manifestOf(k).prerendered).map(([path, file]) => [`r:${deploymentId(k)}:${path}`, file])),
      ),
    ).reduce((a, b) => a + b, 0);
    expect(PROJECTS * uncleaned).toBeGreaterThan(AWS_LIMITS.kvsTotalBytes * 5);
  });
});
