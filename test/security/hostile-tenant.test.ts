import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capMechanism } from '../../infra/local/sandbox/cap-mechanism.js';
import { BUILD_PATH, FUNCTION_PATH } from '../../infra/local/sandbox/sandbox-path.js';
import { hostRequest } from '../support/http.js';
import { copyExampleApp, ROOT, runCli, startPlatformProcess, type PlatformProcess } from '../support/platform-process.js';
import { listeningPorts } from './support/listening-ports.js';
import { requireSandboxTools } from '../support/sandbox-tools.js';

/**
 * A hostile tenant (a copy of examples/hello with test/security/fixtures/hostile-app laid over it)
 * attacks the platform from its build script and from a `+server.ts` route: the platform's secrets
 * and state, other tenants' code, the environment and argv of every process it can see, every port
 * the platform listens on, and the caps. One deployment is built and shared by all the tests.
 */
const EXAMPLE = join(ROOT, 'examples', 'hello');
const OVERLAY = join(import.meta.dirname, 'fixtures', 'hostile-app');
const OTHER_TENANT_MARKER = `other-tenant-code-${Math.random().toString(36).slice(2)}`;
const FUNCTION_MEMORY_MIB = 1024;

interface Attempt {
  ok: boolean;
  text?: string;
  entries?: string[];
  code?: string;
}

interface Report {
  uid: number;
  adminToken: Attempt;
  ticketKey: Attempt;
  envKey: Attempt;
  otherTenantCode: Attempt;
  functionsRoot: Attempt;
  home: Attempt;
  staging: Attempt;
  rootOnlyFile: Attempt;
  parentEnviron: Attempt;
  pid1Cmdline: Attempt;
  processes: Record<string, { environ: Attempt; cmdline: Attempt }>;
  ports: Record<string, string>;
  env: Record<string, string>;
  registry?: number | string;
}

let home: string;
let app: string;
let platform: PlatformProcess;
let port: number;
let platformPorts: number[];
let secrets: string[];
let buildReport: Report;
let functionReport: Report;
/** The platform's PATH: the checkout's node_modules/.bin (as `npm start` gives it), an operator's tool folder, the test's own. */
let platformPath: string[];
let operatorTools: string;

const cli = (args: string[]) => runCli(home, args);

const tenant = (path: string) => hostRequest({ port, host: `hostile.localhost:${port}`, path });

async function untilLogged(text: string, ms = 10_000): Promise<boolean> {
  for (const until = Date.now() + ms; Date.now() < until; await new Promise((r) => setTimeout(r, 100))) {
    if (platform.output().includes(text)) return true;
  }
  return platform.output().includes(text);
}

function hostAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((entry) => entry && entry.family === 'IPv4' && !entry.internal)
    .map((entry) => (entry as { address: string }).address);
}

beforeAll(async () => {
  requireSandboxTools();
  home = mkdtempSync(join(tmpdir(), 'slipway-hostile-home-'));
  app = mkdtempSync(join(tmpdir(), 'slipway-hostile-app-'));
  copyExampleApp(EXAMPLE, app);
  cpSync(OVERLAY, app, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  manifest.scripts.build = 'node hostile-build.mjs && vite build';
  writeFileSync(join(app, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);

  operatorTools = mkdtempSync(join(tmpdir(), 'slipway-operator-tools-'));
  platformPath = [join(ROOT, 'node_modules', '.bin'), operatorTools, ...(process.env.PATH ?? '').split(delimiter)];
  platform = await startPlatformProcess(home, { ...process.env, PATH: platformPath.join(delimiter) });
  port = platform.port;
  // Every port of the platform: the edge (API included), S3, DynamoDB, Step Functions.
  platformPorts = listeningPorts(platform.pid);
  expect(platformPorts.length).toBeGreaterThanOrEqual(4);

  // Another tenant's function copy, where the function host keeps them.
  const otherTenant = join(home, 'functions', 'victim', 'd-victim', 'server');
  mkdirSync(otherTenant, { recursive: true });
  writeFileSync(join(otherTenant, 'handler.js'), `export const secret = '${OTHER_TENANT_MARKER}';\n`);

  const registry = spawnSync('npm', ['config', 'get', 'registry'], { encoding: 'utf8' }).stdout.trim();
  writeFileSync(
    join(app, 'src', 'lib', 'targets.json'),
    JSON.stringify({
      home,
      adminToken: join(home, 'admin.token'),
      ticketKey: join(home, 'secrets', 'ticket.key'),
      envKey: join(home, 'secrets', 'env.key'),
      otherTenantCode: join(otherTenant, 'handler.js'),
      functionsRoot: join(home, 'functions'),
      ports: platformPorts,
      hostAddresses: hostAddresses(),
      registry,
    }),
  );
  secrets = [
    readFileSync(join(home, 'admin.token'), 'utf8').trim(),
    readFileSync(join(home, 'secrets', 'ticket.key'), 'latin1').trim(),
    readFileSync(join(home, 'secrets', 'env.key'), 'latin1').trim(),
    OTHER_TENANT_MARKER,
  ];

  const deployed = await cli(['deploy', app, '--project', 'hostile']);
  if (deployed.code !== 0) throw new Error(`the hostile app did not deploy:\n${deployed.stdout}\n${deployed.stderr}\n${platform.output()}`);
  const built = await tenant('/build-report.json');
  expect(built.status).toBe(200);
  buildReport = JSON.parse(built.text) as Report;
  const probed = await tenant('/api/hostile?attack=probe');
  expect(probed.status, probed.text).toBe(200);
  functionReport = JSON.parse(probed.text) as Report;
}, 600_000);

afterAll(async () => {
  await platform?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
  if (app) rmSync(app, { recursive: true, force: true });
  if (operatorTools) rmSync(operatorTools, { recursive: true, force: true });
});

for (const [side, report] of [
  ['build', () => buildReport],
  ['function', () => functionReport],
] as const) {
  describe(`a hostile ${side}`, () => {
    it('runs as an unprivileged uid: a root-only file it can see stays unreadable', () => {
      expect(report().uid).toBeGreaterThanOrEqual(1000);
      expect(report().rootOnlyFile).toMatchObject({ ok: false, code: 'EACCES' });
    });

    it('cannot read admin.token', () => {
      expect(report().adminToken.ok).toBe(false);
    });

    it('cannot read secrets/ticket.key', () => {
      expect(report().ticketKey.ok).toBe(false);
    });

    it('cannot read secrets/env.key', () => {
      expect(report().envKey.ok).toBe(false);
    });

    it("cannot read another tenant's function code", () => {
      expect(report().otherTenantCode.ok).toBe(false);
      expect(report().functionsRoot.entries ?? []).not.toContain('victim');
      expect(report().home.entries ?? []).not.toContain('admin.token');
      expect(report().home.entries ?? []).not.toContain('secrets');
      // Nor, through the staging folder, another sandbox's workspace or code while it starts.
      expect(report().staging.entries ?? []).toEqual([]);
    });

    it("finds no secret in its parent's environment (/proc/<ppid>/environ)", () => {
      const text = report().parentEnviron.text ?? '';
      for (const secret of secrets) expect(text).not.toContain(secret);
      expect(text).not.toMatch(/SLIPWAY_TICKET|AWS_SECRET_ACCESS_KEY|SLIPWAY_ADMIN_TOKEN/);
    });

    it('finds no secret in /proc/1/cmdline, nor in the argv or environment of any process it can see', () => {
      expect(report().pid1Cmdline.ok).toBe(true);
      const seen = JSON.stringify(report().processes);
      for (const secret of secrets) expect(seen).not.toContain(secret);
      expect(seen).not.toMatch(/SLIPWAY_TICKET|AWS_SECRET_ACCESS_KEY|SLIPWAY_ADMIN_TOKEN|AWS_SESSION_TOKEN/);
      // The whole report, for good measure: none of the platform's secrets anywhere.
      const all = JSON.stringify(report());
      for (const secret of secrets) expect(all).not.toContain(secret);
    });

    it("finds nothing of the platform's PATH in its own: not the checkout, not the operator's tool folders", () => {
      const path = (report().env.PATH ?? '').split(delimiter);
      // The folders a sandbox may name: Node's own and the system's (its own node_modules/.bin aside).
      const allowed = new Set<string>([dirname(process.execPath), ...BUILD_PATH, ...FUNCTION_PATH]);
      // `npm run` adds these itself, in the build's script as in this test's own PATH: node-gyp's
      // folder and `node_modules/.bin` of every folder above the script's (the build's workspace).
      // A checkout under the same parent as the workspace (both in the temp folder) meets there.
      const workspace = report().env.INIT_CWD ?? report().env.PWD ?? '';
      const addedByNpm = (folder: string) =>
        folder.endsWith('/node-gyp-bin') ||
        (folder.endsWith('/node_modules/.bin') && `${workspace}/`.startsWith(`${dirname(dirname(folder))}/`.replace('//', '/')));
      const leaked = platformPath.filter((folder) => folder && !allowed.has(folder) && !addedByNpm(folder));
      expect(leaked).toContain(join(ROOT, 'node_modules', '.bin'));
      expect(path.filter((folder) => leaked.includes(folder))).toEqual([]);
      expect(path.filter((folder) => folder.startsWith(ROOT))).toEqual([]);
      // Only the build's adapter import names the platform's code: the build loads Slipway's adapter
      // from it (bound read-only), as the build image loads it from its own /app on AWS.
      const namingCheckout = Object.entries(report().env).filter(([, value]) => value.includes(ROOT));
      expect(namingCheckout.map(([name]) => name)).toEqual(side === 'build' ? ['NODE_OPTIONS'] : []);
      if (side === 'build') expect(report().env.NODE_OPTIONS).toMatch(/^--import file:\/\/\S+\/buildrunner\/adapter\/register\.js$/);
      expect(JSON.stringify(report().env)).not.toContain(operatorTools);
      if (side === 'function') {
        // Lambda's Node.js PATH, Node's folder standing in for /var/lang/bin; only folders that exist.
        expect(path.length).toBeGreaterThan(0);
        for (const folder of path) expect([dirname(process.execPath), ...FUNCTION_PATH]).toContain(folder);
      }
    });

    it("cannot connect to any of the platform's ports (edge, API, S3, DynamoDB, Step Functions)", () => {
      const attempts = Object.entries(report().ports);
      expect(attempts.length).toBeGreaterThanOrEqual(platformPorts.length * 2);
      expect(attempts.filter(([, outcome]) => outcome === 'connected')).toEqual([]);
    });
  });
}

describe('the hostile tenant still gets what it is meant to', () => {
  it('its build reached the package registry (the install ran) and it went live', async () => {
    expect(platform.output()).not.toContain('slipway: build failed');
    expect((await tenant('/')).status).toBe(200);
  });

  it('its function reaches the internet (the package registry)', () => {
    expect(functionReport.registry).toBe(200);
  });
});

describe('a hostile function is stopped by its caps, and its log names the cap', () => {
  it('forking 1,000 processes is refused at the process cap', async () => {
    const response = await tenant('/api/hostile?attack=fork');
    expect(response.status).toBe(200);
    const outcome = JSON.parse(response.text) as { started: number; error: string };
    expect(outcome.started).toBeLessThan(1000);
    expect(outcome.error).toBe('EAGAIN');
    // The pids cgroup counts refusals; with rlimits alone nothing does, and a refusal the handler
    // caught leaves no trace the host could name (docs/ARCHITECTURE.md says so).
    if (capMechanism() === 'cgroup') expect(await untilLogged('slipway: limit function processes is 128;')).toBe(true);
  });

  it('writing 1 GiB to /tmp stops at the /tmp cap', async () => {
    const response = await tenant('/api/hostile?attack=tmp');
    const body = JSON.parse(response.text) as { writtenMiB: number; error: string };
    expect(body.error).toBe('ENOSPC');
    expect(body.writtenMiB).toBeLessThanOrEqual(512);
    expect(await untilLogged('slipway: limit function disk is 512 MiB; /tmp is full')).toBe(true);
  });

  it(`allocating 3 GiB against its ${FUNCTION_MEMORY_MIB} MB setting is stopped at the memory cap`, async () => {
    const response = await tenant('/api/hostile?attack=memory');
    expect(response.status).toBeGreaterThanOrEqual(500);
    expect(response.text).not.toContain('allocatedMiB');
    expect(await untilLogged(`slipway: limit function memory is ${FUNCTION_MEMORY_MIB} MiB;`)).toBe(true);
    // A fresh worker answers the next request.
    expect((await tenant('/api/hostile?attack=probe')).status).toBe(200);
  });
});
