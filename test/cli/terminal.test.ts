import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { serve, type ServerType } from '@hono/node-server';
import { type FakeBuildJob, startApiHarness, TOKEN, type ApiHarness, userWithToken } from '../api/support/api-harness.js';
import { putObject } from '../support/local-aws.js';
import { tarFixture, validBundleEntries } from '../support/tar-fixture.js';

/**
 * The CLI as a user meets it: every verb run in a pseudo-terminal (util-linux `script`: the spinner
 * shows) and piped (no escape codes), from inside a linked app directory without --project, and each
 * mistake answered in one line that says what to type. One API (the harness: the real API and
 * workflows, a stand-in build that takes a moment) serves the whole file.
 */
const CLI = join(resolve(import.meta.dirname, '..', '..'), 'bin', 'slipway.js');
const ESC = '\u001b';
/** A spinner frame (in colour on a terminal) followed by `text` (a regular expression). */
const spinnerShowing = (text: string) => new RegExp(`[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏](${ESC}\\[39m)? ${text}`);

/** How long the stand-in build takes; the cancel test makes it long. */
let buildMs = 1500;
const slowBuild: FakeBuildJob = async (aws, request, options) => {
  const id = request.environment.SLIPWAY_BUILD_ID as string;
  // Coloured, as vite's output is: a terminal keeps the colour, a pipe gets plain text.
  await putObject(aws.s3, 'slipway-builds', `builds/${id}/log/00000000.txt`, `${ESC}[36mvite${ESC}[39m building for production\n`);
  await sleep(buildMs, undefined, options?.signal ? { signal: options.signal } : {});
  await putObject(aws.s3, 'slipway-builds', `builds/${id}/log/00000001.txt`, 'slipway: built\n');
  await putObject(aws.s3, 'slipway-builds', `builds/${id}/bundle.tar.gz`, tarFixture(validBundleEntries()));
  return { jobId: id, status: 'SUCCEEDED' };
};

let harness: ApiHarness;
let server: ServerType;
let apiUrl: string;
let work: string;
/** The user's home and config directory: credentials land here, never in the real one. */
let home: string;
/** The SvelteKit app, linked as project my-site. */
let app: string;

beforeAll(async () => {
  if (spawnSync('script', ['--version']).error)
    throw new Error('these tests need `script` from the util-linux package (apt-get install util-linux)');
  harness = await startApiHarness({ buildJob: slowBuild });
  server = serve({ fetch: harness.app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((r) => server.once('listening', () => r()));
  apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  work = mkdtempSync(join(tmpdir(), 'slipway-cli-terminal-'));
  home = join(work, 'home');
  app = join(work, 'my-site');
  mkdirSync(join(app, 'src', 'routes'), { recursive: true });
  mkdirSync(home);
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({ name: 'my-site', scripts: { build: 'vite build' }, devDependencies: { '@sveltejs/kit': '^2.0.0' } }),
  );
  writeFileSync(join(app, 'src', 'routes', '+page.svelte'), '<h1>my site</h1>\n');
}, 120_000);

afterAll(async () => {
  await new Promise<void>((r) => server?.close(() => r()));
  await harness?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The user's environment: their own home, no CI (a faked terminal under CI draws no spinner), no platform settings. */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, '.config'), TERM: 'xterm-256color', ...extra };
  for (const name of ['CI', 'NO_COLOR', 'SLIPWAY_API_URL', 'SLIPWAY_TOKEN', 'SLIPWAY_HOME']) if (!(name in extra)) delete env[name];
  return env;
}

/** The CLI with stdout and stderr piped. */
function piped(args: string[], options: { cwd?: string; stdin?: string; env?: Record<string, string> } = {}): Promise<Run> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd ?? app, env: userEnv(options.env), stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.stdin.end(options.stdin ?? '');
    child.on('close', (code) => done({ code: code ?? -1, stdout, stderr }));
  });
}

const quote = (arg: string) => `'${arg.replaceAll("'", `'\\''`)}'`;

/** The CLI in a pseudo-terminal (`script`): what the user's terminal shows, stdout and stderr together. */
function inTerminal(
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; answer?: { prompt: string; typed: string } } = {},
): Promise<{ code: number; screen: string }> {
  return new Promise((done) => {
    const command = [process.execPath, CLI, ...args].map(quote).join(' ');
    const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: options.cwd ?? app, env: userEnv(options.env), stdio: 'pipe' });
    let screen = '';
    let answered = !options.answer;
    child.stdout.on('data', (c: Buffer) => {
      screen += c.toString();
      // The user types once the prompt shows (Enter sends a carriage return); typed ahead, the terminal would echo it.
      if (!answered && options.answer && screen.includes(options.answer.prompt)) {
        answered = true;
        child.stdin.end(`${options.answer.typed}\r`);
      }
    });
    child.stderr.on('data', (c: Buffer) => (screen += c.toString()));
    if (answered) child.stdin.end();
    child.on('close', (code) => done({ code: code ?? -1, screen }));
  });
}

/** Both ways; the piped run must carry no escape code at all. */
async function bothWays(args: string[], cwd = join(app, 'src')): Promise<{ terminal: string; piped: Run }> {
  const terminal = await inTerminal(args, { cwd });
  expect(terminal.code, `${args.join(' ')} in a terminal:\n${terminal.screen}`).toBe(0);
  const run = await piped(args, { cwd });
  expect(run.code, `${args.join(' ')} piped:\n${run.stderr}`).toBe(0);
  expect(run.stdout + run.stderr, `${args.join(' ')} piped`).not.toContain(ESC);
  return { terminal: terminal.screen, piped: run };
}

/** A mistake: exit code 2 (1 for `code`), nothing on stdout, one line on stderr that contains `fix`. */
async function oneLine(args: string[], fix: string | RegExp, options: { cwd?: string; code?: number } = {}): Promise<string> {
  const run = await piped(args, options);
  expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(options.code ?? 2);
  expect(run.stdout).toBe('');
  const lines = run.stderr.split('\n').filter(Boolean);
  expect(lines, `${args.join(' ')} answers in one line`).toHaveLength(1);
  expect(lines[0]).toMatch(/^slipway: /);
  if (typeof fix === 'string') expect(lines[0]).toContain(fix);
  else expect(lines[0]).toMatch(fix);
  return lines[0] as string;
}

describe('signing in', () => {
  it('login keeps URL and token in the config dir at 0600, tightens a looser file, logout forgets; SLIPWAY_TOKEN alone is honoured', async () => {
    await oneLine(['whoami'], '`slipway login URL`', { code: 1 });
    const login = await piped(['login', apiUrl], { stdin: `${TOKEN}\n` });
    expect(login.code, login.stderr).toBe(0);
    expect(login.stdout).toContain(`signed in to ${apiUrl}/api/v1 as admin`);
    const file = join(home, '.config', 'slipway', 'credentials.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ apiUrl: `${apiUrl}/api/v1`, token: TOKEN });
    expect(login.stdout + login.stderr).not.toContain(TOKEN);

    chmodSync(file, 0o644);
    const whoami = await piped(['whoami', '--json'], { cwd: work });
    expect(whoami.code, whoami.stderr).toBe(0);
    expect(JSON.parse(whoami.stdout)).toMatchObject({ user: 'admin', via: 'admin-token' });
    expect(whoami.stderr).toContain('made it 0600');
    expect(statSync(file).mode & 0o777).toBe(0o600);

    expect((await piped(['admin', 'users'])).stdout).toContain('no users yet: slipway admin users create LOGIN');
    // A user's token in SLIPWAY_TOKEN, without SLIPWAY_API_URL: used with the stored URL (issue 14, point 5).
    const { authorization } = await userWithToken(harness, 'terminal-user', ['user']);
    const asUser = await piped(['whoami', '--json'], { env: { SLIPWAY_TOKEN: authorization.slice('Bearer '.length) } });
    expect(JSON.parse(asUser.stdout)).toMatchObject({ user: 'terminal-user', via: 'api-token' });

    const refused = await piped(['login', apiUrl, '--token', 'slw_not-a-real-token']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('refused the token');
    expect(JSON.parse(readFileSync(file, 'utf8')).token).toBe(TOKEN);

    expect((await piped(['logout'])).stdout).toContain('signed out');
    expect(existsSync(file)).toBe(false);
    await oneLine(['projects'], 'not signed in', { code: 1 });
    expect((await piped(['login', apiUrl, '--token', '-'], { stdin: TOKEN })).code).toBe(0);
  });
});

describe('a linked app directory', () => {
  it('link names the project after the directory, creates it, writes .slipway/project.json and git-ignores it', async () => {
    await oneLine(['deployments'], 'run `slipway link` in your app directory, or add --project NAME');
    const linked = await piped(['link']);
    expect(linked.code, linked.stderr).toBe(0);
    expect(linked.stdout).toContain('creating project my-site');
    expect(linked.stdout).toContain('linked');
    expect(JSON.parse(readFileSync(join(app, '.slipway', 'project.json'), 'utf8'))).toEqual({ project: 'my-site' });
    expect(readFileSync(join(app, '.gitignore'), 'utf8')).toBe('.slipway/\n');
    // Linking again changes nothing and ignores once.
    expect((await piped(['link', '--project', 'my-site'])).code).toBe(0);
    expect(readFileSync(join(app, '.gitignore'), 'utf8')).toBe('.slipway/\n');
    // env before the first deploy: the project exists.
    expect((await piped(['env', 'set', 'PUBLIC_GREETING', 'hi'], { cwd: join(app, 'src') })).code).toBe(0);
  });

  it('deploy draws a spinner with the pipeline state on a terminal and plain lines when piped, then the URL', async () => {
    const terminal = await inTerminal(['deploy'], { cwd: join(app, 'src') });
    expect(terminal.code, terminal.screen).toBe(0);
    // A spinner frame (coloured), the pipeline's state and the time so far, redrawn in place.
    expect(terminal.screen).toMatch(spinnerShowing('deploying my-site: Build · \\d+s'));
    expect(terminal.screen).toContain(`${ESC}[1G${ESC}[0K`);
    expect(terminal.screen).toContain(`${ESC}[36mvite`);
    expect(terminal.screen).toMatch(/deployment d-\S+ is live at http/);

    const run = await piped(['deploy'], { cwd: join(app, 'src') });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout + run.stderr).not.toContain(ESC);
    expect(run.stdout).toContain('vite building for production');
    expect(run.stderr).toMatch(/^slipway: deploying my-site: Build \(\d+s\)$/m);
    expect(run.stdout).toMatch(/deployment d-\S+ is live at http/);

    const json = await piped(['deploy', '--preview', 'feature-x', '--json'], { cwd: join(app, 'src') });
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ deployment: { status: 'LIVE', preview: 'feature-x' } });
  }, 60_000);

  it('every verb answers from the app directory without --project, in a terminal and piped', async () => {
    const { piped: list } = await bothWays(['deployments']);
    const rows = list.stdout.trim().split('\n');
    expect(rows[0]).toMatch(/^STATUS\s+ID\s+CREATED\s+PREVIEW\s+NOTE$/);
    expect(rows.slice(1).map((r) => r.split(/\s{2,}/)[0])).toEqual(['PREVIEW', 'SERVING', 'WAS LIVE']);
    const [preview, serving, wasLive] = rows.slice(1).map((r) => r.split(/\s{2,}/)[1] as string);
    // The read-only verbs do not depend on each other: asked at once.
    const [detail, logs, jsonLogs, env, settings, domains, projects, whoami, executions, help, open, dashboard, noColor] =
      await Promise.all([
        bothWays(['deployments', serving as string]),
        bothWays(['logs']),
        piped(['logs', '--json']),
        bothWays(['env', 'list']),
        bothWays(['settings', '--install-command', 'npm install']),
        bothWays(['domains', 'list']),
        bothWays(['projects']),
        bothWays(['whoami']),
        bothWays(['executions', '--status', 'succeeded']),
        bothWays(['help']),
        piped(['open']),
        // Outside an app: the dashboard.
        piped(['open'], { cwd: work }),
        // NO_COLOR on a terminal: the build's colours go too.
        inTerminal(['logs'], { env: { NO_COLOR: '1' } }),
      ]);
    expect(detail.piped.stdout).toMatch(/status\s+SERVING \(LIVE\)/);
    expect(detail.terminal).toContain('SERVING');
    expect(logs.piped.stdout).toContain('vite building for production');
    const lines = jsonLogs.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { deployment: string; line: string });
    expect(lines.map((l) => l.line)).toContain('slipway: built');
    expect(lines.every((l) => l.deployment === preview)).toBe(true);
    expect(env.piped.stdout).toContain('PUBLIC_GREETING');
    expect(settings.piped.stdout).toContain('install command: npm install');
    expect(domains.piped.stdout).toContain('no custom domains');
    expect(projects.piped.stdout).toMatch(/^NAME\s+STATUS\s+LIVE\s+URL\nmy-site\s+READY\s+d-/);
    expect(whoami.piped.stdout).toContain('admin');
    expect(executions.piped.stdout).toContain('my-site--build-deploy--');
    expect(help.piped.stdout).toContain('slipway help COMMAND');
    expect(open.stdout).toMatch(/^http:\/\/my-site\.\S+\n$/);
    expect(dashboard.stdout).toBe(`${apiUrl}/\n`);
    expect(noColor.screen).toContain('vite building for production');
    expect(noColor.screen).not.toContain(ESC);

    // A preview is not made production by accident.
    await oneLine(['rollback', '--to', preview as string], `slipway rollback --to ${preview} --promote`);
    const rolled = await inTerminal(['rollback', '--to', wasLive as string]);
    expect(rolled.code, rolled.screen).toBe(0);
    expect(rolled.screen).toMatch(spinnerShowing('rolling back my-site'));
    expect(rolled.screen).toContain(`live again with ${wasLive}`);
    const back = await piped(['rollback', '--to', serving as string]);
    expect(back.code, back.stderr).toBe(0);
    expect(back.stdout + back.stderr).not.toContain(ESC);
    expect(back.stdout).toContain(`live again with ${serving}`);
    const promoted = await piped(['rollback', '--to', preview as string, '--promote']);
    expect(promoted.code, promoted.stderr).toBe(0);
    expect((await piped(['deployments', '--json'])).stdout).toContain('"serving": "SERVING"');
  }, 120_000);

  it('projects create waits until READY; delete takes --yes off a terminal', async () => {
    const created = await piped(['projects', 'create', 'spare-site', '--json']);
    expect(created.code, created.stderr).toBe(0);
    expect(JSON.parse(created.stdout).project).toMatchObject({ name: 'spare-site', status: 'READY' });
    const deleted = await piped(['projects', 'delete', 'spare-site', '--yes']);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(deleted.stdout).toContain('deleting spare-site');
    expect(JSON.parse((await piped(['projects', '--json'])).stdout).projects).not.toContainEqual(
      expect.objectContaining({ name: 'spare-site', status: 'READY' }),
    );
  });

  it('on a terminal, login asks for the token without echoing it and delete asks for the name typed again', async () => {
    const login = await inTerminal(['login', apiUrl], { cwd: work, answer: { prompt: 'API token for', typed: TOKEN } });
    expect(login.code, login.screen).toBe(0);
    expect(login.screen).toContain(`API token for ${apiUrl}/api/v1: `);
    expect(login.screen).toContain('signed in');
    expect(login.screen).not.toContain(TOKEN);

    expect((await piped(['projects', 'create', 'typed-site'])).code).toBe(0);
    const mistyped = await inTerminal(['projects', 'delete', 'typed-site'], { answer: { prompt: 'to go on: ', typed: 'typed-sight' } });
    expect(mistyped.code).toBe(1);
    expect(mistyped.screen).toContain("Type the project's name to go on");
    expect(mistyped.screen).toContain('nothing deleted');
    const confirmed = await inTerminal(['projects', 'delete', 'typed-site'], { answer: { prompt: 'to go on: ', typed: 'typed-site' } });
    expect(confirmed.code, confirmed.screen).toBe(0);
    expect(confirmed.screen).toContain('deleting typed-site');
  });

  it('a cancelled deploy says CANCELLED, the word the list uses', async () => {
    buildMs = 30_000;
    try {
      const deploying = piped(['deploy']);
      let id: string | undefined;
      for (let i = 0; i < 100 && !id; i++) {
        await sleep(100);
        const listed = JSON.parse((await piped(['deployments', '--json'])).stdout) as {
          deployments: Array<{ id: string; status: string }>;
        };
        id = listed.deployments.find((d) => d.status === 'BUILDING')?.id;
      }
      expect(id, 'a deployment reached BUILDING').toBeDefined();
      expect((await piped(['cancel', '--deployment', id as string])).stdout).toContain('CANCELLED');
      const ended = await deploying;
      expect(ended.code).toBe(1);
      expect(ended.stderr).toContain(`deployment ${id} was CANCELLED`);
      expect(ended.stderr).not.toContain('ABORTED');
      expect((await piped(['deployments'])).stdout).toMatch(new RegExp(`^CANCELLED\\s+${id}`, 'm'));
    } finally {
      buildMs = 1500;
    }
  }, 60_000);
});

describe('mistakes, each answered in one line with the fix', () => {
  it('unknown commands and flags get "did you mean", missing arguments the command to type', async () => {
    // Independent of each other: asked all at once.
    await Promise.all([
      oneLine(['deplyo'], 'did you mean `slipway deploy`?'),
      oneLine(['deploy', '--projct', 'x'], 'did you mean --project?'),
      oneLine(['env', 'sett', 'A', 'b'], 'did you mean `slipway env set`?'),
      oneLine(['deploy', '--project'], '--project needs a value: --project NAME'),
      oneLine(['logs', '--follow=yes'], '--follow takes no value'),
      oneLine(['rollback'], 'rollback needs --to ID: pick one with `slipway deployments`'),
      oneLine(['cancel'], 'cancel needs --deployment ID'),
      oneLine(['env'], 'env needs list, set KEY VALUE or unset KEY'),
      oneLine(['projects', 'create'], 'projects create needs a NAME: slipway projects create my-site'),
      oneLine(['projects', 'create', 'My_Site'], 'NAME "My_Site" is not a project name: it must be 3–40 characters'),
      oneLine(['deployments', '--project', 'x'], '--project "x" is not a project name'),
      oneLine(['executions', '--status', 'broken'], '--status must be one of running, succeeded, failed, timed_out, aborted'),
      oneLine(['rollback', '--to', 'nope'], '--to "nope" is not a deployment id'),
      oneLine(['projects', 'delete', 'my-site'], 'projects delete my-site needs --yes when not run on a terminal'),
      oneLine(['help', 'deplyo'], 'did you mean `slipway help deploy`?'),
    ]);
  });

  it('help: the global list, and per command with flags and examples, as `help X` and `X --help`', async () => {
    const global = await piped(['help']);
    for (const verb of ['login', 'link', 'deploy', 'open', 'projects', 'deployments', 'rollback'])
      expect(global.stdout).toMatch(new RegExp(`^  ${verb}\\s`, 'm'));
    const help = await piped(['help', 'deploy']);
    expect(help.stdout).toContain('slipway deploy [DIR] [--project NAME] [--preview ALIAS]');
    expect(help.stdout).toContain('examples:');
    expect((await piped(['deploy', '--help'])).stdout).toBe(help.stdout);
    expect((await piped(['help', 'login'])).stdout).toContain('SLIPWAY_TOKEN alone');
    expect((await piped(['--version'])).stdout).toMatch(/^slipway \d+\.\d+\.\d+\n$/);
  });

  it('deploy pre-flight: not a SvelteKit app is refused before anything is uploaded or created', async () => {
    const cases: Array<[string, Record<string, string>, string]> = [
      ['empty', {}, 'has no package.json'],
      ['no-kit', { 'package.json': JSON.stringify({ scripts: { build: 'vite build' } }) }, 'no @sveltejs/kit dependency'],
      ['no-build', { 'package.json': JSON.stringify({ devDependencies: { '@sveltejs/kit': '^2' } }) }, 'has no "build" script'],
    ];
    for (const [name, files, fix] of cases) {
      const dir = join(work, name);
      mkdirSync(dir, { recursive: true });
      for (const [file, body] of Object.entries(files)) writeFileSync(join(dir, file), body);
      await oneLine(['deploy', dir, '--project', `pre-${name}`], fix, { code: 1 });
    }
    const { projects } = JSON.parse((await piped(['projects', '--json'])).stdout) as { projects: Array<{ name: string }> };
    expect(projects.map((p) => p.name).filter((p) => p.startsWith('pre-'))).toEqual([]);
  });

  it('API refusals name the CLI flag, not the API field', async () => {
    const run = await piped(['env', 'set', 'AWS_REGION', 'x']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^slipway: KEY /);
    expect(run.stderr).not.toContain('path.');
  });
});
