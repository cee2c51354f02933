import type { ParseArgsConfig } from 'node:util';

type OptionSpec = NonNullable<ParseArgsConfig['options']>[string];

interface FlagSpec extends OptionSpec {
  /** What the value is, in help and in "needs a value" errors (`--project NAME`); string flags only. */
  value?: string;
  help: string;
}

/** Every flag of every command; a command accepts those its entry in COMMANDS names (command-table.ts). */
export const FLAGS = {
  project: { type: 'string', short: 'p', value: 'NAME', help: 'the project (default: the one `slipway link` linked here)' },
  deployment: { type: 'string', value: 'ID', help: 'a deployment id (see `slipway deployments`)' },
  preview: { type: 'string', value: 'ALIAS', help: 'deploy as preview ALIAS at NAME--ALIAS; production is untouched' },
  to: { type: 'string', value: 'ID', help: 'the deployment to make live again' },
  promote: { type: 'boolean', help: 'allow --to to name a preview deployment: it becomes production' },
  follow: { type: 'boolean', short: 'f', help: 'keep printing until the deployment ends' },
  status: { type: 'string', value: 'STATUS', help: 'only executions with this status (running, succeeded, failed, timed_out, aborted)' },
  month: { type: 'string', value: 'YYYY-MM', help: 'the month to show (default this one)' },
  limit: { type: 'string', multiple: true, value: 'NAME=N', help: 'a limit to change (repeat for more)' },
  secret: { type: 'boolean', help: 'store the value as a secret: never shown again' },
  target: { type: 'string', value: 'build|runtime|both', help: 'where the variable is visible (default both)' },
  'build-command': { type: 'string', value: 'CMD', help: 'the build command ("" resets it)' },
  'install-command': { type: 'string', value: 'CMD', help: 'the install command ("" resets it)' },
  'root-directory': { type: 'string', value: 'DIR', help: 'the app folder inside the source ("" resets it)' },
  'node-version': { type: 'string', value: '20|22', help: 'the Node.js major version of builds and the server function' },
  branch: { type: 'string', value: 'BRANCH', help: 'the production branch (default the repository default)' },
  role: { type: 'string', multiple: true, value: 'ROLE', help: 'a role to grant (repeat for more)' },
  label: { type: 'string', value: 'LABEL', help: 'a name for the token' },
  'ttl-days': { type: 'string', value: 'N', help: 'days until the token expires' },
  token: {
    type: 'string',
    value: 'TOKEN',
    help: 'the API token; - reads it from stdin (a token here shows in the process list: prefer stdin or SLIPWAY_TOKEN)',
  },
  yes: { type: 'boolean', short: 'y', help: 'do not ask for confirmation' },
  port: { type: 'string', value: 'PORT', help: 'the port to listen on (default 8080)' },
  'no-example': { type: 'boolean', help: 'do not deploy the example app on the first start' },
  'route-cache-projects': { type: 'string', value: 'N', help: 'size the route cache for N projects (default 200)' },
  json: { type: 'boolean', help: 'machine-readable output on stdout (messages go to stderr)' },
  help: { type: 'boolean', short: 'h', help: 'this help' },
  version: { type: 'boolean', short: 'v', help: "the CLI's version" },
} as const satisfies Record<string, FlagSpec>;

export type FlagName = keyof typeof FLAGS;

/** Flags every command takes. */
export const GLOBAL_FLAGS: readonly FlagName[] = ['help', 'json'];

/** `--project NAME`: the flag as help and errors show it. */
export function flagSynopsis(name: FlagName): string {
  const flag: FlagSpec = FLAGS[name];
  return flag.value ? `--${name} ${flag.value}` : `--${name}`;
}

/** The flags' parseArgs configuration (their help texts left out). */
export function parseArgsOptions(): NonNullable<ParseArgsConfig['options']> {
  const options: NonNullable<ParseArgsConfig['options']> = {};
  for (const [name, { help: _help, value: _value, ...option }] of Object.entries(FLAGS) as [string, FlagSpec][]) options[name] = option;
  return options;
}
