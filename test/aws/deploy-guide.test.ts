import { existsSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { flagOf, parseContextRequest } from '../../infra/aws/configure-context.js';
import { CONTEXT_KEY_NAMES } from '../../infra/aws/context-keys.js';
import { PLATFORM_OUTPUTS } from '../../infra/aws/platform-outputs.js';
import { FIRST_DEPLOY_STEPS } from './support/first-deploy-walkthrough.js';
import { platformTemplate } from './support/iam-policy.js';

/**
 * docs/DEPLOY-AWS.md read as a newcomer follows it: its commands must name scripts, context keys
 * and outputs that exist, its tables must list what the app has, and its first-deploy walkthrough
 * must be the steps the service-role replay runs.
 */
const GUIDE = readFileSync('docs/DEPLOY-AWS.md', 'utf8');
const SCRIPTS = Object.keys((JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts);
const OUTPUT_NAMES = Object.keys(PLATFORM_OUTPUTS);

/** The text after the HTML comment `<!-- marker: … -->` (the guide marks what the tests read). */
function markedText(marker: string): string {
  const at = GUIDE.indexOf(`<!-- ${marker}:`);
  if (at < 0) throw new Error(`docs/DEPLOY-AWS.md has no <!-- ${marker}: … --> marker`);
  return GUIDE.slice(at);
}

/** The first Markdown table in `text`, as rows of cells (header and rule left out). */
function firstTable(text: string): string[][] {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => line.startsWith('|'));
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(
      line
        .slice(1, -1)
        .split(' | ')
        .map((cell) => cell.trim()),
    );
  }
  return rows;
}

/** The commands of a shell block: continuation lines joined, comments and blank lines left out. */
function commands(block: string): string[] {
  return block
    .replace(/\\\n\s*/g, '')
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/** Every fenced shell block of the guide. */
const SHELL_BLOCKS = [...GUIDE.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
const QUICK_START = commands(/```sh\n([\s\S]*?)```/.exec(markedText('quick-start'))?.[1] ?? '');

/** What a command line asks the repository for: npm scripts, configure flags, context keys, outputs, files. */
function references(command: string): {
  scripts: string[];
  configure: string[][];
  contextKeys: string[];
  outputs: string[];
  files: string[];
} {
  const configure = [...command.matchAll(/npm run aws:configure -- (.*?)(?:$|&&|;)/g)].map((m) => (m[1] ?? '').trim().split(/\s+/));
  return {
    scripts: [...command.matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1] ?? ''),
    configure,
    contextKeys: [...command.matchAll(/(?:^|\s)(?:-c|--context) (\w+)=/g)].map((m) => m[1] ?? ''),
    outputs: [...command.matchAll(/\.Slipway\.(\w+)/g)].map((m) => m[1] ?? ''),
    files: [...command.matchAll(/(?:^|\s)node ([\w./-]+\.js)/g)].map((m) => m[1] ?? ''),
  };
}

let stateMachineNames: string[];

beforeAll(() => {
  stateMachineNames = Object.values(platformTemplate())
    .filter((r) => r.Type === 'AWS::StepFunctions::StateMachine')
    .map((r) => String(r.Properties?.StateMachineName));
}, 120_000);

describe('the quick start', () => {
  it('is at most 10 commands, each one of the tools the prerequisites name', () => {
    expect(QUICK_START.length).toBeGreaterThan(0);
    expect(QUICK_START.length, QUICK_START.join('\n')).toBeLessThanOrEqual(10);
    for (const command of QUICK_START) expect(command, command).toMatch(/^(npm|npx|node|export|aws|git) /);
  });

  it('installs, builds, configures, bootstraps and deploys before it uses what the deploy made', () => {
    const index = (pattern: RegExp) => QUICK_START.findIndex((command) => pattern.test(command));
    const order = [
      /^npm (ci|install)$/,
      /^npm run build$/,
      /^npm run aws:configure /,
      /^npx cdk bootstrap /,
      /^npx cdk deploy /,
      /\.Slipway\.ApiUrl/,
    ];
    const positions = order.map(index);
    expect(positions, order.join(' → ')).not.toContain(-1);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  it('keeps every setting in cdk.context.json: no -c flags, and the configure runs together set the domain, certificate and GitHub keys', () => {
    const configured = new Set<string>();
    for (const command of QUICK_START) {
      expect(references(command).contextKeys, command).toEqual([]);
      for (const argv of references(command).configure) for (const key of Object.keys(parseContextRequest(argv).set)) configured.add(key);
    }
    expect([...configured].sort()).toEqual(['certificateArn', 'dashboardDomainName', 'domainName', 'githubSecretArn']);
  });
});

describe("the guide's commands", () => {
  it('run only npm scripts that package.json has, files that exist, and the cdk the dependencies bring', () => {
    const all = SHELL_BLOCKS.flatMap(commands);
    for (const command of all) {
      for (const script of references(command).scripts) expect(SCRIPTS, command).toContain(script);
      for (const file of references(command).files) expect(existsSync(file), `${command}: ${file}`).toBe(true);
    }
    expect(existsSync('node_modules/aws-cdk/package.json'), 'aws-cdk (npx cdk) is a dependency').toBe(true);
  });

  it('use only context keys and configure flags the app knows', () => {
    for (const command of SHELL_BLOCKS.flatMap(commands)) {
      for (const key of references(command).contextKeys) expect(CONTEXT_KEY_NAMES, command).toContain(key);
      // Throws on a flag the app does not read, naming it.
      for (const argv of references(command).configure) parseContextRequest(argv);
    }
  });

  it('read only outputs the stack has', () => {
    const read = SHELL_BLOCKS.flatMap(commands).flatMap((command) => references(command).outputs);
    expect(read.length).toBeGreaterThan(0);
    for (const name of read) expect(OUTPUT_NAMES, name).toContain(name);
  });
});

describe("the guide's tables", () => {
  it('list every context key the app reads, with its configure flag', () => {
    const rows = firstTable(GUIDE.slice(GUIDE.indexOf('| context key (flag) |')));
    expect(rows.map((row) => row[0])).toEqual(CONTEXT_KEY_NAMES.map((key) => `\`${key}\` (\`${flagOf(key)}\`)`));
  });

  it('list exactly the stack outputs', () => {
    const rows = firstTable(markedText('outputs'));
    expect(rows.map((row) => row[0]?.replace(/`/g, '')).sort()).toEqual([...OUTPUT_NAMES].sort());
  });

  it('walk through the first deploy in the steps the service-role replay runs', () => {
    const rows = firstTable(markedText('walkthrough'));
    expect(rows.map((row) => row[0]?.replace(/^\d+\.\s*/, ''))).toEqual(FIRST_DEPLOY_STEPS.map((step) => step.name));
  });

  it('name every state machine under "What gets created"', () => {
    const created = GUIDE.slice(GUIDE.indexOf('### What gets created'), GUIDE.indexOf('### Outputs to note'));
    expect(stateMachineNames.length).toBeGreaterThanOrEqual(4);
    for (const name of stateMachineNames) expect(created, name).toContain(`\`${name}\``);
  });
});
