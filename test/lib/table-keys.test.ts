import { readFileSync } from 'node:fs';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import {
  DeploymentId,
  FUNCTION_QUALIFIER_PATTERN,
  PREVIEW_ALIAS_PATTERN,
  PROJECT_NAME,
  PROJECT_NAME_PATTERN,
  ProjectName,
} from '../../handlers/lib/names.js';
import {
  KeyPartError,
  apiTokenKey,
  auditKey,
  auditPk,
  deploymentIdOf,
  deploymentKey,
  domainClaimKey,
  domainKey,
  domainOf,
  envKey,
  githubInstallationKey,
  idAfter,
  projectKey,
  projectPk,
  pushKey,
  runtimeEnvKey,
  settingsKey,
  subscriptionKey,
  usageDayKey,
  usageSlotsKey,
  userKey,
  webhookBodyKey,
  webhookDeliveryKey,
} from '../../handlers/lib/table/keys.js';

describe('table keys', () => {
  it('builds the keys the table has always held', () => {
    // The stored layout: changing any of these strings would orphan every existing item.
    expect(projectKey('my-app')).toEqual({ pk: 'PROJECT#my-app', sk: 'META' });
    expect(deploymentKey('my-app', 'd-abc123-xy')).toEqual({ pk: 'PROJECT#my-app', sk: 'DEPLOY#d-abc123-xy' });
    expect(pushKey('my-app', 'delivery-1')).toEqual({ pk: 'PROJECT#my-app', sk: 'PUSH#delivery-1' });
    expect(settingsKey('my-app')).toEqual({ pk: 'PROJECT#my-app', sk: 'SETTINGS' });
    expect(envKey('my-app', 'API_URL')).toEqual({ pk: 'PROJECT#my-app', sk: 'ENV#API_URL' });
    expect(runtimeEnvKey('my-app', 'd-abc123-xy')).toEqual({ pk: 'PROJECT#my-app', sk: 'RUNENV#d-abc123-xy' });
    expect(domainKey('my-app', 'www.example.com')).toEqual({ pk: 'PROJECT#my-app', sk: 'DOMAIN#www.example.com' });
    expect(domainClaimKey('www.example.com')).toEqual({ pk: 'DOMAIN#www.example.com', sk: 'CLAIM' });
    expect(userKey('octocat')).toEqual({ pk: 'USER#octocat', sk: 'PROFILE' });
    expect(apiTokenKey('0123456789abcdef')).toEqual({ pk: 'APITOKEN#0123456789abcdef', sk: 'META' });
    expect(githubInstallationKey(42)).toEqual({ pk: 'GHINSTALL#42', sk: 'META' });
    expect(webhookDeliveryKey('72d3162e')).toEqual({ pk: 'WEBHOOK#72d3162e', sk: 'DELIVERY' });
    expect(webhookBodyKey('a1b2')).toEqual({ pk: 'WEBHOOK-BODY#a1b2', sk: 'BODY' });
    expect(subscriptionKey('team')).toEqual({ pk: 'SUBSCRIPTION#team', sk: 'META' });
    expect(usageDayKey('octocat', '2026-11-30')).toEqual({ pk: 'USAGE#octocat', sk: 'DAY#2026-11-30' });
    expect(usageSlotsKey('octocat', 'builds')).toEqual({ pk: 'USAGE#octocat', sk: 'SLOTS#builds' });
    expect(auditKey('2026-11-30T10:00:00.000Z', 'beef')).toEqual({ pk: 'AUDIT#2026-11', sk: '2026-11-30T10:00:00.000Z#beef' });
    expect(auditPk('2026-11')).toBe('AUDIT#2026-11');
  });

  it('reads back the ids it wrote', () => {
    const id = 'd-mabc12-x9y8';
    expect(deploymentIdOf(deploymentKey('my-app', id).sk)).toBe(id);
    expect(domainOf(domainKey('my-app', 'shop.example.org').sk)).toBe('shop.example.org');
    expect(idAfter('PROJECT#', projectPk('my-app'))).toBe('my-app');
  });

  it('reads no id out of another kind of item', () => {
    // A project partition holds META, SETTINGS, variables, runtime variables, pushes and domains beside the deployments.
    expect(deploymentIdOf('META')).toBeUndefined();
    expect(deploymentIdOf(runtimeEnvKey('my-app', 'd-abc123-xy').sk)).toBeUndefined();
    expect(domainOf(deploymentKey('my-app', 'd-abc123-xy').sk)).toBeUndefined();
    expect(domainOf(envKey('my-app', 'DOMAIN').sk)).toBeUndefined();
  });

  it('refuses a project name that would reach into another key', () => {
    for (const name of ['my#app', 'a--b', 'my-app#DEPLOY', 'My-App', '', 'x']) {
      expect(() => projectKey(name), name).toThrow(KeyPartError);
      expect(() => deploymentKey(name, 'd-abc123-xy'), name).toThrow(KeyPartError);
    }
  });

  it('refuses an id holding the separator or empty', () => {
    expect(() => deploymentKey('my-app', 'd-1#META')).toThrow(KeyPartError);
    expect(() => envKey('my-app', '')).toThrow(KeyPartError);
    expect(() => userKey('octo#cat')).toThrow(KeyPartError);
    expect(() => domainClaimKey('a#b.example.com')).toThrow(KeyPartError);
    expect(() => usageSlotsKey('octocat', 'builds#x')).toThrow(KeyPartError);
  });
});

describe('shared names', () => {
  it('accepts project names that are DNS labels without "--" or "#"', () => {
    for (const name of ['abc', 'my-app', 'a1-b2-c3', `a${'b'.repeat(38)}c`]) expect(v.is(ProjectName, name), name).toBe(true);
    for (const name of ['ab', 'my--app', 'my#app', '1app', 'app-', 'My-app', `a${'b'.repeat(39)}c`])
      expect(v.is(ProjectName, name), name).toBe(false);
  });

  it('names the rule in the error', () => {
    const result = v.safeParse(ProjectName, 'my--app');
    expect(result.success).toBe(false);
    expect(result.issues?.[0]?.message).toMatch(/single "-"/);
  });

  it('gives the CloudFormation parameter the same pattern source', () => {
    // infra/aws/projects/project-stack.ts passes `.source` as the Project parameter's AllowedPattern.
    expect(PROJECT_NAME_PATTERN.source).toBe('^(?!.*--)[a-z][a-z0-9-]{1,38}[a-z0-9]$');
  });

  it('accepts the same names inside a longer pattern as on their own', () => {
    const inside = new RegExp(`^(${PROJECT_NAME})--rest$`);
    const samples = [
      'abc',
      'my-app',
      'a1b',
      'a'.repeat(40),
      'a'.repeat(41),
      'ab',
      'my--app',
      'my-',
      '-my',
      '1ab',
      'My-app',
      'a-b-c',
      'ab#c',
    ];
    for (const name of samples) expect(inside.exec(`${name}--rest`)?.[1] === name, name).toBe(PROJECT_NAME_PATTERN.test(name));
  });

  it('checks deployment ids and preview aliases', () => {
    expect(v.is(DeploymentId, 'd-mabc12-x9y8')).toBe(true);
    expect(v.is(DeploymentId, 'd-1#x')).toBe(false);
    expect(PREVIEW_ALIAS_PATTERN.test('feature-1')).toBe(true);
    expect(PREVIEW_ALIAS_PATTERN.test('feature--1')).toBe(false);
    expect(PREVIEW_ALIAS_PATTERN.test('-feature')).toBe(false);
  });

  it('takes a Lambda version number or a deployment id as a function qualifier', () => {
    expect(FUNCTION_QUALIFIER_PATTERN.test('12')).toBe(true);
    expect(FUNCTION_QUALIFIER_PATTERN.test('d-mabc12-x9y8')).toBe(true);
    expect(FUNCTION_QUALIFIER_PATTERN.test('-12')).toBe(false);
    expect(FUNCTION_QUALIFIER_PATTERN.test('$LATEST')).toBe(false);
    expect(FUNCTION_QUALIFIER_PATTERN.test(`a${'1'.repeat(100)}`)).toBe(false);
  });

  it('is what the CloudFront Functions copy (they cannot import a module)', () => {
    for (const file of ['viewer-request.js', 'assets-request.js']) {
      const source = readFileSync(new URL(`../../router/cloudfront/${file}`, import.meta.url), 'utf8');
      expect(/^const PROJECT = \/(.+)\/;$/m.exec(source)?.[1], file).toBe(PROJECT_NAME_PATTERN.source);
      expect(/^const ALIAS = \/(.+)\/;$/m.exec(source)?.[1], file).toBe(PREVIEW_ALIAS_PATTERN.source);
    }
  });
});
