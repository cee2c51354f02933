import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { startBareS3, type BareS3 } from '../support/bare-s3.js';
import { requireSandboxTools } from '../support/sandbox-tools.js';
import { createFunctionHost, type FunctionHost } from '../../infra/local/function-host/index.js';
import { processTree } from '../../bench/lib/process-tree.js';

/**
 * Attack: a tenant whose function runs in a spare worker (started ahead, before it was given a
 * deployment) looks for another tenant's code where the spares keep theirs: the hard-linked folder
 * of the spare that serves the victim, the victim's copy, the spares' root; and writes into its own
 * folder. A spare must be exactly as isolated as a worker started for its deployment: only its own
 * folder visible, read-only, its own uid.
 */
const BUCKET = 'slipway-projects';
const MARKER = `victim-code-${Math.random().toString(36).slice(2)}`;

const VICTIM = `export const secret = '${MARKER}';
export async function handler() { return { statusCode: 200, body: JSON.stringify({ uid: process.getuid() }) }; }
`;

const ATTACKER = `import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
const attempt = (fn) => { try { return { ok: true, value: fn() }; } catch (error) { return { ok: false, code: error.code }; } };
export async function handler(event) {
  const targets = JSON.parse(decodeURIComponent(event.rawQueryString.slice(2)));
  return { statusCode: 200, body: JSON.stringify({
    uid: process.getuid(),
    victimSpareFile: attempt(() => readFileSync(targets.victimSpareFile, 'utf8')),
    victimCopy: attempt(() => readFileSync(targets.victimCopy, 'utf8')),
    sparesRoot: attempt(() => readdirSync(targets.sparesRoot)),
    functionsRoot: attempt(() => readdirSync(targets.functionsRoot)),
    ownHandler: attempt(() => readFileSync(process.cwd() + '/server/handler.js', 'utf8').length),
    ownFolder: attempt(() => readdirSync(process.cwd(), { recursive: true }).sort()),
    writeOwnFolder: attempt(() => writeFileSync(process.cwd() + '/server/planted.js', 'export {}')),
  }) };
}
`;

interface Attempt {
  ok: boolean;
  value?: unknown;
  code?: string;
}

function event(query = ''): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/',
    rawQueryString: query,
    headers: { host: 'x.localhost' },
    requestContext: {
      accountId: 'anonymous',
      apiId: 'local',
      domainName: 'x.localhost',
      domainPrefix: 'x',
      http: { method: 'GET', path: '/', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
      requestId: 'r-spare',
      routeKey: '$default',
      stage: '$default',
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
    },
    isBase64Encoded: false,
  };
}

/** This test process's unassigned spares (their Node names no function yet). */
const spares = (): number[] =>
  processTree(process.pid)
    .filter((p) => /^\S*node .*function-host\/worker\.ts$/.test(p.command))
    .map((p) => p.pid);

async function until(check: () => boolean, ms = 20_000): Promise<void> {
  for (const deadline = Date.now() + ms; !check(); await new Promise((resolve) => setTimeout(resolve, 25))) {
    if (Date.now() > deadline) throw new Error('no spare worker started in time');
  }
}

let dir: string;
let bare: BareS3 | undefined;
let host: FunctionHost;
let victimUid: number;
let attackerPid: number;
let report: {
  uid: number;
  victimSpareFile: Attempt;
  victimCopy: Attempt;
  sparesRoot: Attempt;
  functionsRoot: Attempt;
  ownHandler: Attempt;
  ownFolder: Attempt;
  writeOwnFolder: Attempt;
};
let victimSpareFile: string;
let body: string;

beforeAll(async () => {
  requireSandboxTools();
  dir = mkdtempSync(join(tmpdir(), 'slipway-spare-isolation-'));
  bare = await startBareS3(dir, [BUCKET]);
  for (const [project, code] of [
    ['victim', VICTIM],
    ['attacker', ATTACKER],
  ] as const) {
    await bare.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${project}/deployments/d-1/server/handler.js`, Body: code }));
  }
  const stateDir = join(dir, 'state');
  host = createFunctionHost({ stateDir, projectBucket: BUCKET, s3: bare.s3, spareWorkers: 1, onLog: () => undefined });
  const functionsRoot = join(stateDir, 'functions');

  // The victim is served by the first spare: its folder now holds hard links to the victim's code.
  await until(() => spares().length === 1);
  const victim = (await host.invoke('victim', 'd-1', event())) as APIGatewayProxyStructuredResultV2;
  victimUid = (JSON.parse(victim.body as string) as { uid: number }).uid;
  const sparesRoot = join(functionsRoot, '.spares');
  const [ownSpares] = readdirSync(sparesRoot);
  const [victimFolder] = readdirSync(join(sparesRoot, ownSpares as string)).filter((name) =>
    existsSync(join(sparesRoot, ownSpares as string, name, 'server', 'handler.js')),
  );
  victimSpareFile = join(sparesRoot, ownSpares as string, victimFolder as string, 'server', 'handler.js');
  // The target is real: the host holds the victim's code there.
  expect(readFileSync(victimSpareFile, 'utf8')).toContain(MARKER);

  // The attacker gets the next spare.
  await until(() => spares().length === 1);
  [attackerPid] = spares() as [number];
  const targets = { victimSpareFile, victimCopy: join(functionsRoot, 'victim', 'd-1', 'server', 'handler.js'), sparesRoot, functionsRoot };
  const attacked = (await host.invoke(
    'attacker',
    'd-1',
    event(`t=${encodeURIComponent(JSON.stringify(targets))}`),
  )) as APIGatewayProxyStructuredResultV2;
  body = attacked.body as string;
  report = JSON.parse(body) as typeof report;
}, 60_000);

afterAll(async () => {
  await host?.close();
  await bare?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a tenant served by a spare worker', () => {
  it("is the spare that ran before its request, as its own unprivileged uid, not the victim's", () => {
    const served = processTree(process.pid).find((p) => p.pid === attackerPid);
    expect(served?.command).toContain('slipway-attacker d-1');
    expect(report.uid).toBeGreaterThanOrEqual(1000);
    expect(report.uid).not.toBe(victimUid);
  });

  it("cannot read the victim's code in the victim spare's folder, nor its copy, nor list the spares", () => {
    expect(report.victimSpareFile).toMatchObject({ ok: false });
    expect(report.victimCopy).toMatchObject({ ok: false });
    expect(report.sparesRoot.ok === false || (report.sparesRoot.value as string[]).length === 0).toBe(true);
    expect((report.functionsRoot.value as string[] | undefined) ?? []).not.toContain('victim');
    expect(body).not.toContain(MARKER);
  });

  it('reads its own code, and its folder holds its own deployment alone, read-only', () => {
    expect(report.ownHandler).toMatchObject({ ok: true });
    expect(report.ownFolder).toEqual({ ok: true, value: ['package.json', 'server', 'server/handler.js'] });
    expect(report.writeOwnFolder).toMatchObject({ ok: false });
    expect(['EROFS', 'EACCES']).toContain(report.writeOwnFolder.code);
  });
});
