import { describe, expect, it } from 'vitest';
import { inCliWords } from '../../cli/api-fields.js';
import { readCommandLine, subcommand } from '../../cli/command-line.js';
import { servingWord } from '../../cli/deployment-status.js';
import { closest } from '../../handlers/lib/did-you-mean.js';
import { UsageError } from '../../cli/usage-error.js';

/** The CLI's words for the user's mistakes and for what serves, without a platform. */
describe('did you mean', () => {
  it('names a close candidate, and none for a word that is far from all', () => {
    expect(closest('projct', ['project', 'preview', 'promote'])).toBe('project');
    expect(closest('deplyo', ['deploy', 'deployments', 'login'])).toBe('deploy');
    expect(closest('zzzzzz', ['deploy', 'login'])).toBeUndefined();
  });
});

describe('the command line', () => {
  const refusal = (argv: string[]) => {
    try {
      readCommandLine(argv);
    } catch (error) {
      expect(error).toBeInstanceOf(UsageError);
      return (error as Error).message;
    }
    throw new Error(`${argv.join(' ')} was accepted`);
  };

  it("refuses a flag another command takes, one it does not know, and a value flag without value, in the CLI's words", () => {
    expect(refusal(['deploy', '--follow'])).toBe('deploy takes no --follow flag (`slipway help deploy` lists its flags)');
    expect(refusal(['logs', '--folow'])).toBe('logs has no --folow flag: did you mean --follow? (`slipway help logs` lists its flags)');
    expect(refusal(['deploy', '--preview', '--json'])).toBe('--preview needs a value: --preview ALIAS');
    expect(refusal(['deploy', '-x'])).toContain('deploy has no -x flag');
  });

  it('reads values, short flags and repeated flags', () => {
    const line = readCommandLine(['admin', 'users', 'create', 'alice', '--role', 'user', '--role', 'support', '--json']);
    expect(line).toMatchObject({ command: 'admin', args: ['users', 'create', 'alice'], values: { role: ['user', 'support'], json: true } });
    expect(readCommandLine(['logs', '-f', '-p', 'site']).values).toMatchObject({ follow: true, project: 'site' });
    expect(subcommand(readCommandLine(['env', 'list']), 'list')).toBe('list');
    expect(() => subcommand(readCommandLine(['env']), 'lst')).toThrow('did you mean `slipway env list`?');
  });
});

describe('API errors in the CLI words', () => {
  it('names the flag or argument for the API field, leaving other text alone', () => {
    expect(inCliWords('query.status is invalid: must be one of RUNNING, FAILED')).toBe(
      '--status is invalid: must be one of RUNNING, FAILED',
    );
    expect(inCliWords('body.deploymentId: deployment d-1 never went live')).toBe('--to: deployment d-1 never went live');
    expect(inCliWords('path.key is invalid: AWS_REGION is reserved')).toBe('KEY is invalid: AWS_REGION is reserved');
    expect(inCliWords('the admin token has no API tokens: create a user (POST /admin/users) and issue one')).toContain(
      '`slipway admin users create LOGIN`',
    );
    expect(inCliWords('body.source.key is invalid')).toBe('body.source.key is invalid');
  });
});

describe('what serves', () => {
  const all = [
    { id: 'd-5', status: 'BUILDING', createdAt: '5' },
    { id: 'd-4', status: 'LIVE', createdAt: '4', preview: 'x' },
    { id: 'd-3', status: 'LIVE', createdAt: '3', current: true },
    { id: 'd-2', status: 'LIVE', createdAt: '2', preview: 'x' },
    { id: 'd-1', status: 'LIVE', createdAt: '1' },
    { id: 'd-0', status: 'CANCELLED', createdAt: '0' },
  ];
  it('says SERVING for the live one, WAS LIVE for earlier production, PREVIEW for the newest of an alias, else the status', () => {
    expect(all.map((d) => servingWord(d, all))).toEqual(['BUILDING', 'PREVIEW', 'SERVING', 'OLD PREVIEW', 'WAS LIVE', 'CANCELLED']);
  });
});
