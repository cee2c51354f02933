import type { FlagName } from './flags.js';

/** One verb of the CLI as help shows it and the command line checks it. */
export interface CommandSpec {
  /** How the global help groups it. */
  group: 'Your app' | 'Account' | 'Platform' | 'Operators';
  summary: string;
  /** Its synopsis lines, without `slipway `. */
  usage: string[];
  /** What else to know: connection order, defaults. */
  details?: string[];
  /** Subcommands, for "did you mean" (`env sett`). */
  subcommands?: string[];
  flags: FlagName[];
  examples: string[];
}

export const COMMANDS: Record<string, CommandSpec> = {
  login: {
    group: 'Account',
    summary: 'sign in to a platform and keep the token in your config directory',
    usage: ['login [URL] [--token TOKEN]'],
    details: [
      'URL is the platform (its API answers at URL/api/v1). Without URL and token: the local platform started',
      'in this directory (or $SLIPWAY_HOME), signed in with its admin token.',
      'The token comes from --token, else SLIPWAY_TOKEN, else it is asked for (an admin issues one with',
      '`slipway admin users token LOGIN --label L`; you can make more with `slipway tokens create`).',
      'Credentials go to $XDG_CONFIG_HOME/slipway/credentials.json (default ~/.config/slipway/), readable by you only.',
      '',
      'Which platform a command talks to, first match wins:',
      '  1. SLIPWAY_API_URL and SLIPWAY_TOKEN',
      '  2. SLIPWAY_TOKEN alone, with the URL of `slipway login` (else the local platform)',
      '  3. the local platform of $SLIPWAY_HOME, when that is set, with its admin token',
      '  4. the credentials `slipway login` stored',
      '  5. the local platform of ./.slipway (the Slipway checkout you are in), with its admin token',
    ],
    flags: ['token'],
    examples: ['slipway login', 'slipway login https://slipway.example.com', 'echo "$TOKEN" | slipway login https://slipway.example.com'],
  },
  logout: {
    group: 'Account',
    summary: 'forget the stored credentials',
    usage: ['logout'],
    flags: [],
    examples: ['slipway logout'],
  },
  whoami: {
    group: 'Account',
    summary: 'who the token or session is, with roles and permissions',
    usage: ['whoami'],
    flags: [],
    examples: ['slipway whoami'],
  },
  tokens: {
    group: 'Account',
    summary: 'your own API tokens (a new one is shown once)',
    usage: ['tokens', 'tokens create --label LABEL [--ttl-days N]', 'tokens revoke ID'],
    subcommands: ['create', 'revoke'],
    flags: ['label', 'ttl-days'],
    examples: ['slipway tokens create --label laptop --ttl-days 90', 'slipway tokens revoke t-abc123'],
  },
  limits: {
    group: 'Account',
    summary: 'your subscription, its limits and your usage',
    usage: ['limits'],
    flags: [],
    examples: ['slipway limits'],
  },
  link: {
    group: 'Your app',
    summary: 'link this app directory to a project (created if it does not exist)',
    usage: ['link [--project NAME]'],
    details: [
      "Writes .slipway/project.json here and adds .slipway/ to .gitignore; the project's name defaults to the",
      "directory's. From then on the commands below need no --project in this directory or below it.",
    ],
    flags: ['project'],
    examples: ['slipway link', 'slipway link --project my-site'],
  },
  deploy: {
    group: 'Your app',
    summary: 'build and deploy the app, wait until it is live, print its URL',
    usage: ['deploy [DIR] [--project NAME] [--preview ALIAS]'],
    details: [
      'DIR defaults to the linked app directory (else .). It must be a SvelteKit app: a package.json with',
      '@sveltejs/kit and a build script. The live version keeps serving until the new one is ready.',
    ],
    flags: ['project', 'preview'],
    examples: ['slipway deploy', 'slipway deploy --preview feature-x', 'slipway deploy ./apps/web --project web --json'],
  },
  open: {
    group: 'Your app',
    summary: 'open the live URL (the dashboard outside an app) in the browser, or print it',
    usage: ['open [--project NAME] [--preview ALIAS]'],
    details: ['Without a linked or named project: the dashboard. Printed instead when there is no browser to open.'],
    flags: ['project', 'preview'],
    examples: ['slipway open', 'slipway open --preview feature-x'],
  },
  deployments: {
    group: 'Your app',
    summary: "list a project's deployments, or show one",
    usage: ['deployments [ID] [--project NAME]'],
    details: [
      'SERVING: production answers with it. WAS LIVE: it was production once (`slipway rollback --to` it).',
      'PREVIEW: its preview URL answers with it. OLD PREVIEW: a newer deployment of its alias answers.',
    ],
    flags: ['project'],
    examples: ['slipway deployments', 'slipway deployments d-m1abc-x7y2'],
  },
  logs: {
    group: 'Your app',
    summary: "print a deployment's build log (the newest by default)",
    usage: ['logs [--deployment ID] [--follow] [--project NAME]'],
    details: ['--json prints one JSON object per log line (and one for the end with --follow).'],
    flags: ['project', 'deployment', 'follow'],
    examples: ['slipway logs', 'slipway logs --follow', 'slipway logs --deployment d-m1abc-x7y2 --json'],
  },
  cancel: {
    group: 'Your app',
    summary: 'cancel a queued or building deployment (the live version stays)',
    usage: ['cancel --deployment ID [--project NAME]'],
    flags: ['project', 'deployment'],
    examples: ['slipway cancel --deployment d-m1abc-x7y2'],
  },
  rollback: {
    group: 'Your app',
    summary: 'make an earlier deployment live again (no rebuild), wait until it is',
    usage: ['rollback --to ID [--promote] [--project NAME]'],
    details: ['A preview deployment becomes production only with --promote.'],
    flags: ['project', 'to', 'promote'],
    examples: ['slipway rollback --to d-m1abc-x7y2', 'slipway rollback --to d-m1xyz-a1b2 --promote'],
  },
  env: {
    group: 'Your app',
    summary: 'environment variables of builds and the server function',
    usage: ['env list [--project NAME]', 'env set KEY VALUE [--secret] [--target build|runtime|both]', 'env unset KEY'],
    details: ['VALUE - reads the value from stdin, so a secret stays out of your shell history.'],
    subcommands: ['list', 'set', 'unset'],
    flags: ['project', 'secret', 'target'],
    examples: [
      'slipway env set PUBLIC_API https://api.example.com',
      'printf %s "$KEY" | slipway env set API_KEY - --secret',
      'slipway env list',
    ],
  },
  settings: {
    group: 'Your app',
    summary: 'show or change build settings',
    usage: ['settings [--build-command CMD] [--install-command CMD] [--root-directory DIR] [--node-version 20|22] [--project NAME]'],
    details: ['No flag shows them; "" resets one to its default.'],
    flags: ['project', 'build-command', 'install-command', 'root-directory', 'node-version'],
    examples: ['slipway settings', 'slipway settings --install-command "npm install"', 'slipway settings --build-command ""'],
  },
  domains: {
    group: 'Your app',
    summary: 'custom domains, proven by a DNS TXT record',
    usage: ['domains list [--project NAME]', 'domains add DOMAIN', 'domains verify DOMAIN', 'domains remove DOMAIN'],
    details: ['add prints the TXT record (_slipway-challenge.DOMAIN) to publish; verify checks it (each deploy checks again).'],
    subcommands: ['list', 'add', 'verify', 'remove'],
    flags: ['project'],
    examples: ['slipway domains add www.example.com', 'slipway domains verify www.example.com', 'slipway domains list'],
  },
  projects: {
    group: 'Your app',
    summary: 'list, create or delete projects',
    usage: ['projects', 'projects create NAME', 'projects delete NAME [--yes]'],
    details: ['delete asks you to type the name on a terminal; elsewhere it needs --yes.'],
    subcommands: ['list', 'create', 'delete'],
    flags: ['yes'],
    examples: ['slipway projects', 'slipway projects create my-site', 'slipway projects delete my-site --yes'],
  },
  github: {
    group: 'Your app',
    summary: 'deploy on pushes to a GitHub repository',
    usage: ['github repos', 'github link OWNER/REPO [--branch BRANCH] [--project NAME]'],
    details: ['Pushes to BRANCH (default the default branch) deploy production, other branches previews.'],
    subcommands: ['repos', 'link'],
    flags: ['project', 'branch'],
    examples: ['slipway github repos', 'slipway github link acme/site --branch main'],
  },
  approve: {
    group: 'Your app',
    summary: "redeploy a fork's preview (built without secrets) with secrets",
    usage: ['approve --deployment ID [--project NAME]'],
    flags: ['project', 'deployment'],
    examples: ['slipway approve --deployment d-m1abc-x7y2'],
  },
  up: {
    group: 'Platform',
    summary: 'start the local platform (state in $SLIPWAY_HOME, default ./.slipway)',
    usage: ['up [--port PORT] [--no-example] [--route-cache-projects N]'],
    flags: ['port', 'no-example', 'route-cache-projects'],
    examples: ['slipway up', 'slipway up --port 9090 --no-example'],
  },
  executions: {
    group: 'Operators',
    summary: 'list pipeline executions',
    usage: ['executions [--status STATUS]'],
    flags: ['status'],
    examples: ['slipway executions --status failed'],
  },
  admin: {
    group: 'Operators',
    summary: 'users, roles, tokens, subscriptions, the audit log and retries',
    usage: [
      'admin users [show|create|roles|delete LOGIN] [--role ROLE ...]',
      'admin users token LOGIN --label LABEL [--ttl-days N]',
      'admin users revoke LOGIN TOKEN_ID',
      'admin audit [--month YYYY-MM]',
      'admin retry EXECUTION_NAME [--follow]',
      'admin subscriptions [set NAME --limit NAME=N ...]',
      'admin subscription LOGIN NAME',
    ],
    subcommands: ['users', 'audit', 'retry', 'subscriptions', 'subscription'],
    flags: ['role', 'label', 'ttl-days', 'month', 'follow', 'limit'],
    examples: ['slipway admin users create alice --role user', 'slipway admin users token alice --label laptop', 'slipway admin audit'],
  },
  help: {
    group: 'Account',
    summary: 'this help, or one command’s',
    usage: ['help [COMMAND]'],
    flags: [],
    examples: ['slipway help deploy'],
  },
};

export const COMMAND_NAMES = Object.keys(COMMANDS);
