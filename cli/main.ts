import { parseArgs } from 'node:util';
import { ApiCallError } from './api-client.js';
import { deployCommand } from './commands/deploy.js';
import { cancelCommand, deploymentsCommand, executionsCommand, logsCommand, projectsCommand } from './commands/read.js';
import { rollbackCommand } from './commands/rollback.js';
import { auditCommand, retryCommand } from './commands/admin.js';
import { assignSubscriptionCommand, limitsCommand, subscriptionsCommand } from './commands/limits.js';
import { domainsCommand, envCommand, settingsCommand } from './commands/settings.js';
import { tokensCommand, usersCommand, whoamiCommand } from './commands/users.js';
import { UsageError } from './usage-error.js';
import { routeCacheProjectsFlag } from './route-cache-projects-flag.js';
import { approveCommand, githubLinkCommand, githubReposCommand } from './commands/github.js';

const USAGE = `usage: slipway <command> [options]

  up [--port PORT] [--no-example]          start the local platform (state in $SLIPWAY_HOME, default ./.slipway)
     [--route-cache-projects N]            size the route cache for N projects (default 200; fewer: more routes a deployment)
  deploy [DIR] --project NAME [--preview ALIAS]   build and deploy DIR (default .), wait until live;
                                           --preview: at NAME--ALIAS, production untouched
  projects                                 list projects
  deployments --project NAME               list a project's deployments (* = live)
  logs --project NAME [--deployment ID] [--follow]   print a build log (--follow: live, until the deployment ends)
  cancel --project NAME --deployment ID    cancel a queued or building deployment (the live version stays)
  rollback --project NAME --to ID          make an earlier deployment live again, wait until it is
  env list|set KEY VALUE|unset KEY --project NAME   environment variables; set takes [--secret]
                                           [--target build|runtime|both] (VALUE - reads stdin)
  settings --project NAME [--build-command CMD] [--install-command CMD] [--root-directory DIR]
           [--node-version 20|22]          show or change build settings ("" resets one)
  domains list|add|verify|remove DOMAIN --project NAME   custom domains (proven by a DNS TXT record)
  github repos                             repositories your GitHub App installations let you link
  github link --project NAME OWNER/REPO [--branch B]   deploy pushes to OWNER/REPO (B, default the default branch: production)
  approve --project NAME --deployment ID   redeploy a fork's preview (built without secrets) with secrets
  executions [--status STATUS]             list pipeline executions
  whoami                                   who the token or session is, with roles and permissions
  tokens [create --label L [--ttl-days N]|revoke ID]   your own API tokens (a new one is shown once)
  admin users [show|create|roles|delete LOGIN] [--role R ...]   users and their roles
  admin users token LOGIN --label L [--ttl-days N] | revoke LOGIN ID   issue (shown once) or revoke a user's API token
  admin audit [--month YYYY-MM]            the audit log of a month (default this one), newest first
  admin retry EXECUTION_NAME [--follow]    retry a failed (or aborted, timed-out) build-and-deploy execution; prints the new deployment id
  admin subscriptions [set NAME --limit k=v ...]   list subscriptions, or store NAME with those limits changed
  admin subscription LOGIN NAME            give a user a subscription
  limits                                   your subscription, its limits and your usage

  --json   machine-readable output`;

function required(value: string | undefined, flag: string): string {
  if (!value) throw new UsageError(`${flag} is required`);
  return value;
}

function ttlDays(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[1-9]\d{0,2}$/.test(value)) throw new UsageError(`--ttl-days must be a whole number of days, got ${value}`);
  return Number(value);
}

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      port: { type: 'string' },
      'no-example': { type: 'boolean', default: false },
      'route-cache-projects': { type: 'string' },
      project: { type: 'string', short: 'p' },
      deployment: { type: 'string' },
      preview: { type: 'string' },
      to: { type: 'string' },
      follow: { type: 'boolean', short: 'f', default: false },
      status: { type: 'string' },
      month: { type: 'string' },
      limit: { type: 'string', multiple: true },
      secret: { type: 'boolean', default: false },
      target: { type: 'string' },
      'build-command': { type: 'string' },
      'install-command': { type: 'string' },
      'root-directory': { type: 'string' },
      'node-version': { type: 'string' },
      branch: { type: 'string' },
      role: { type: 'string', multiple: true },
      label: { type: 'string' },
      'ttl-days': { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    process.stdout.write(`${USAGE}\n`);
    return command || values.help ? 0 : 2;
  }
  switch (command) {
    case 'up': {
      const port = values.port ?? process.env.SLIPWAY_PORT;
      if (port !== undefined && !/^\d{1,5}$/.test(port)) throw new UsageError(`--port must be a port number, got ${port}`);
      const routeCacheProjects = routeCacheProjectsFlag(values['route-cache-projects']);
      // Crash tests only (test/security/crash-recovery.test.ts): `<machine>:<state>` to die at.
      const killAt = process.env.SLIPWAY_FAULT_KILL_AT_STATE || undefined;
      const killMatch = killAt === undefined ? undefined : /^(slipway-[a-z-]+):(.+)$/.exec(killAt);
      if (killAt !== undefined && !killMatch) throw new UsageError(`SLIPWAY_FAULT_KILL_AT_STATE must be <machine>:<state>, got ${killAt}`);
      const { upCommand } = await import('./commands/up.js');
      const { operatorSettings } = await import('../infra/local/operator-settings.js');
      return upCommand({
        port: port === undefined ? 8080 : Number(port),
        settings: operatorSettings(process.env),
        example: !values['no-example'],
        routeCacheProjects,
        ...(killMatch ? { killAtState: { machine: killMatch[1] as string, state: killMatch[2] as string } } : {}),
      });
    }
    case 'deploy':
      return deployCommand({
        dir: rest[0] ?? '.',
        project: required(values.project, '--project'),
        preview: values.preview,
        json: values.json,
      });
    case 'projects':
      return projectsCommand({ json: values.json });
    case 'deployments':
      return deploymentsCommand({ json: values.json, project: required(values.project, '--project') });
    case 'logs':
      return logsCommand({
        json: values.json,
        project: required(values.project, '--project'),
        deployment: values.deployment,
        follow: values.follow,
      });
    case 'cancel':
      return cancelCommand({
        json: values.json,
        project: required(values.project, '--project'),
        deployment: required(values.deployment, '--deployment'),
      });
    case 'rollback':
      return rollbackCommand({ project: required(values.project, '--project'), to: required(values.to, '--to'), json: values.json });
    case 'env':
      return envCommand({
        action: rest[0],
        rest: rest.slice(1),
        project: required(values.project, '--project'),
        secret: values.secret,
        target: values.target,
        json: values.json,
      });
    case 'settings':
      return settingsCommand({
        project: required(values.project, '--project'),
        json: values.json,
        buildCommand: values['build-command'],
        installCommand: values['install-command'],
        rootDirectory: values['root-directory'],
        nodeVersion: values['node-version'],
      });
    case 'domains':
      return domainsCommand({ action: rest[0], rest: rest.slice(1), project: required(values.project, '--project'), json: values.json });
    case 'github': {
      const [sub, ...args] = rest;
      if (sub === 'repos') return githubReposCommand({ json: values.json });
      if (sub === 'link')
        return githubLinkCommand({
          project: required(values.project, '--project'),
          repository: required(args[0], 'OWNER/REPO'),
          branch: values.branch,
          json: values.json,
        });
      throw new UsageError(sub ? `unknown github command ${sub}` : 'github needs a command: repos or link');
    }
    case 'approve':
      return approveCommand({
        project: required(values.project, '--project'),
        deployment: required(values.deployment, '--deployment'),
        json: values.json,
      });
    case 'executions':
      return executionsCommand({ json: values.json, status: values.status });
    case 'limits':
      return limitsCommand({ json: values.json });
    case 'whoami':
      return whoamiCommand({ json: values.json });
    case 'tokens':
      return tokensCommand({
        action: rest[0],
        tokenId: rest[1],
        label: values.label,
        ttlDays: ttlDays(values['ttl-days']),
        json: values.json,
      });
    case 'admin': {
      const [sub, ...args] = rest;
      if (sub === 'audit') {
        if (values.month !== undefined && !/^\d{4}-(0[1-9]|1[0-2])$/.test(values.month))
          throw new UsageError(`--month must be YYYY-MM, got ${values.month}`);
        return auditCommand({ month: values.month, json: values.json });
      }
      if (sub === 'retry') {
        if (!args[0]) throw new UsageError('admin retry needs an EXECUTION_NAME (see `slipway executions --status FAILED`)');
        return retryCommand({ execution: args[0], follow: values.follow, json: values.json });
      }
      if (sub === 'subscriptions') {
        if (args[0] === undefined) return subscriptionsCommand({ limits: [], json: values.json });
        if (args[0] !== 'set' || !args[1]) throw new UsageError('usage: admin subscriptions [set NAME --limit k=v ...]');
        return subscriptionsCommand({ set: args[1], limits: values.limit ?? [], json: values.json });
      }
      if (sub === 'subscription') {
        if (!args[0] || !args[1]) throw new UsageError('usage: admin subscription LOGIN NAME');
        return assignSubscriptionCommand({ login: args[0], subscription: args[1], json: values.json });
      }
      if (sub === 'users') {
        return usersCommand({
          action: args[0],
          login: args[1],
          tokenId: args[2],
          roles: values.role ?? [],
          label: values.label,
          ttlDays: ttlDays(values['ttl-days']),
          json: values.json,
        });
      }
      throw new UsageError(
        sub ? `unknown admin command ${sub}` : 'admin needs a command: audit, retry, users, subscriptions or subscription',
      );
    }
    default:
      throw new UsageError(`unknown command ${command}`);
  }
}

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`slipway: ${(error as Error).message}\n\n${USAGE}\n`);
      process.exitCode = 2;
    } else if (error instanceof ApiCallError) {
      process.stderr.write(`slipway: ${error.message} (${error.code})\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(`slipway: ${(error as Error).message}\n`);
      process.exitCode = 1;
    }
  },
);
