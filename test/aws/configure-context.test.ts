import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runConfigure } from '../../infra/aws/configure.js';
import { flagOf, mergeContext, parseContextRequest } from '../../infra/aws/configure-context.js';
import { CONTEXT_KEY_NAMES, readPlatformContext } from '../../infra/aws/context-keys.js';

const CERTIFICATE = 'arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000';
const GITHUB_SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:slipway/github-app-AbCdEf';

let dir: string;
let file: string;
let out: string[];
let err: string[];

function configure(...argv: string[]): number {
  return runConfigure(
    argv,
    file,
    (line) => out.push(line),
    (line) => err.push(line),
  );
}

function written(): Record<string, unknown> {
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'slipway-configure-'));
  file = join(dir, 'cdk.context.json');
  out = [];
  err = [];
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('npm run aws:configure', () => {
  it('keeps every key a later run does not name, CDK’s own cached lookups included', () => {
    const lookup = { 'availability-zones:account=123456789012:region=eu-west-1': ['eu-west-1a', 'eu-west-1b'] };
    writeFileSync(file, JSON.stringify(lookup));
    expect(
      configure('--domain-name', 'apps.example.com', '--certificate-arn', CERTIFICATE, '--dashboard-domain-name=slipway.example.com'),
    ).toBe(0);
    // The step the old guide got wrong: adding the GitHub secret later must not drop the domain keys.
    expect(configure('--github-secret-arn', GITHUB_SECRET)).toBe(0);
    expect(written()).toEqual({
      ...lookup,
      domainName: 'apps.example.com',
      certificateArn: CERTIFICATE,
      dashboardDomainName: 'slipway.example.com',
      githubSecretArn: GITHUB_SECRET,
    });
    expect(out).toContain(`githubSecretArn: ${GITHUB_SECRET} (was unset)`);
    expect(err).toEqual([]);
  });

  it('prints what changed, and says so when nothing did', () => {
    configure('--route-cache-projects', '20');
    expect(out.splice(0)).toEqual(['routeCacheProjects: 20 (was unset)', 'cdk.context.json: 1 key changed; the next cdk deploy uses them']);
    configure('--route-cache-projects', '40');
    expect(out[0]).toBe('routeCacheProjects: 40 (was 20)');
    out.length = 0;
    configure('--route-cache-projects', '40');
    expect(out).toEqual(['cdk.context.json: unchanged']);
    configure('--unset', 'route-cache-projects');
    expect(out).toContain('routeCacheProjects: removed (was 40)');
    expect(written()).toEqual({});
  });

  it('says when a domain still lacks the certificate the app needs with it', () => {
    configure('--dashboard-domain-name', 'slipway.example.com');
    expect(out).toContain('note: dashboardDomainName needs certificateArn (--certificate-arn) before the next cdk deploy');
    out.length = 0;
    configure('--certificate-arn', CERTIFICATE);
    expect(out.filter((line) => line.startsWith('note:'))).toEqual([]);
  });

  it('refuses an unknown key with the closest known one, writing nothing', () => {
    expect(configure('--domian-name', 'apps.example.com')).toBe(2);
    const error = JSON.parse(err[0] ?? '{}').error;
    expect(error).toMatchObject({ code: 'UnknownOption', field: '--domian-name' });
    expect(error.message).toContain('did you mean --domain-name?');
    expect(() => readFileSync(file)).toThrow(/ENOENT/);
    expect(() => parseContextRequest(['--certificate', CERTIFICATE])).toThrow(/did you mean --certificate-arn\?/);
    expect(() => parseContextRequest(['--unset', 'domainNam'])).toThrow(/did you mean --domain-name\?/);
  });

  it('refuses a bad value with the app’s own parser, naming the flag, and leaves the file as it was', () => {
    configure('--domain-name', 'apps.example.com');
    const before = readFileSync(file, 'utf8');
    const refused: Array<[string, string]> = [
      ['--certificate-arn', 'arn:aws:acm:eu-west-1:123456789012:certificate/abc'],
      ['--github-secret-arn', 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:slipway/github-app'],
      ['--domain-name', 'https://apps.example.com'],
      ['--build-timeout-seconds', '30'],
      ['--client-address-depth', '0'],
      ['--route-cache-projects', 'ten'],
      ['--origin-secret-version', 'v2'],
    ];
    for (const [flag, value] of refused) {
      err.length = 0;
      expect(configure(flag, value), flag).toBe(2);
      expect(JSON.parse(err[0] ?? '{}').error, flag).toMatchObject({ code: 'InvalidSetting', field: flag });
    }
    expect(configure('--domain-name')).toBe(2);
    expect(JSON.parse(err.at(-1) ?? '{}').error).toMatchObject({ field: '--domain-name' });
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('refuses to keep a bad value already in the file, naming it', () => {
    writeFileSync(file, JSON.stringify({ routeCacheProjects: 0 }));
    expect(configure('--domain-name', 'apps.example.com')).toBe(2);
    expect(JSON.parse(err[0] ?? '{}').error).toMatchObject({ field: 'cdk.context.json: routeCacheProjects' });
  });

  it('writes only values the app reads back as the same settings', () => {
    const { context } = mergeContext(
      {},
      parseContextRequest([
        '--stage=dev',
        '--domain-name=apps.example.com',
        `--certificate-arn=${CERTIFICATE}`,
        '--dashboard-domain-name=slipway.example.com',
        `--github-secret-arn=${GITHUB_SECRET}`,
        '--build-timeout-seconds=1200',
        '--client-address-depth=2',
        '--route-cache-projects=20',
        '--origin-secret-version=0123456789abcdef0123456789abcdef',
      ]),
    );
    // Every key the app knows has a flag, and the app parses what was written.
    expect(Object.keys(context).sort()).toEqual([...CONTEXT_KEY_NAMES].sort());
    expect(readPlatformContext((key) => context[key])).toEqual({
      stage: 'dev',
      domainName: 'apps.example.com',
      certificateArn: CERTIFICATE,
      dashboardDomainName: 'slipway.example.com',
      githubSecretArn: GITHUB_SECRET,
      buildTimeoutSeconds: 1200,
      clientAddressDepth: 2,
      routeCacheProjects: 20,
      originSecretVersion: '0123456789abcdef0123456789abcdef',
    });
    // A hand-edited file may hold numbers; the app reads them like the strings `-c` gives.
    expect(readPlatformContext((key) => ({ buildTimeoutSeconds: 1200 })[key])).toEqual({ buildTimeoutSeconds: 1200 });
    expect(flagOf('dashboardDomainName')).toBe('--dashboard-domain-name');
  });

  it('is wired as the npm script the guide runs, which refuses before it writes anything', () => {
    const hadFile = existsSync('cdk.context.json');
    const run = spawnSync('npm', ['run', '-s', 'aws:configure', '--', '--domian-name', 'apps.example.com'], { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(JSON.parse(run.stderr.trim().split('\n')[0] ?? '{}').error).toMatchObject({ code: 'UnknownOption', field: '--domian-name' });
    expect(existsSync('cdk.context.json')).toBe(hadFile);
    const help = spawnSync('npm', ['run', '-s', 'aws:configure', '--', '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    for (const key of CONTEXT_KEY_NAMES) expect(help.stdout).toContain(flagOf(key));
  }, 30_000);
});
