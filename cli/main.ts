import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiCallError } from './api-client.js';
import { type CommandLine, readCommandLine, subcommand } from './command-line.js';
import { loginCommand, logoutCommand } from './commands/account.js';
import { auditCommand, retryCommand } from './commands/admin.js';
import { deployCommand } from './commands/deploy.js';
import { approveCommand, githubLinkCommand, githubReposCommand } from './commands/github.js';
import { assignSubscriptionCommand, limitsCommand, subscriptionsCommand } from './commands/limits.js';
import { linkCommand } from './commands/link.js';
import { openCommand } from './commands/open.js';
import { createProjectCommand, deleteProjectCommand, projectsCommand } from './commands/projects.js';
import { cancelCommand, deploymentsCommand, executionStatus, executionsCommand, logsCommand } from './commands/read.js';
import { rollbackCommand } from './commands/rollback.js';
import { domainsCommand, envCommand, settingsCommand } from './commands/settings.js';
import { tokensCommand, usersCommand, whoamiCommand } from './commands/users.js';
import { commandHelp, globalHelp } from './help.js';
import { PreflightError } from './preflight.js';
import { findProjectLink } from './project-link.js';
import { checkDeploymentId, checkProjectName, resolveProject } from './project-option.js';
import { routeCacheProjectsFlag } from './route-cache-projects-flag.js';
import { UsageError } from './usage-error.js';
import { packageRoot } from '../infra/package-root.js';

/** A required value, or a one-line refusal saying what to type. */
function required(value: string | undefined, missing: string): string {
  if (!value) throw new UsageError(missing);
  return value;
}

function ttlDays(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[1-9]\d{0,2}$/.test(value)) throw new UsageError(`--ttl-days must be a whole number of days, got ${value}`);
  return Number(value);
}

function version(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

const NEEDS_DEPLOYMENT = (verb: string) => `${verb} needs --deployment ID (\`slipway deployments\` lists them)`;

async function run(line: CommandLine): Promise<number> {
  const { command, args, values } = line;
  const json = values.json ?? false;
  if (!command) {
    if (values.version) {
      process.stdout.write(`slipway ${version()}\n`);
      return 0;
    }
    process.stdout.write(`${globalHelp()}\n`);
    return values.help ? 0 : 2;
  }
  if (values.help) {
    process.stdout.write(`${commandHelp(command)}\n`);
    return 0;
  }
  const project = () => resolveProject(values.project);
  switch (command) {
    case 'help':
      process.stdout.write(`${args[0] ? commandHelp(args[0]) : globalHelp()}\n`);
      return 0;
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
    case 'login':
      return loginCommand({ url: args[0], token: values.token, json });
    case 'logout':
      return logoutCommand({ json });
    case 'link':
      return linkCommand({ project: values.project, json });
    case 'deploy': {
      const linked = values.project === undefined ? await findProjectLink() : undefined;
      return deployCommand({
        // The linked app directory, wherever below it the command runs.
        dir: args[0] ?? linked?.dir ?? '.',
        project: await project(),
        preview: values.preview,
        json,
      });
    }
    case 'open': {
      // Where no project is linked or named, open shows the dashboard.
      const linked = values.project === undefined && !values.preview ? await findProjectLink() : undefined;
      const target = values.project !== undefined || values.preview || linked ? await project() : undefined;
      return openCommand({ ...(target ? { project: target } : {}), preview: values.preview, json });
    }
    case 'projects': {
      const action = subcommand(line, args[0]);
      if (action === undefined || action === 'list') return projectsCommand({ json });
      const name = checkProjectName(required(args[1], `projects ${action} needs a NAME: slipway projects ${action} my-site`), 'NAME');
      if (action === 'create') return createProjectCommand({ name, json });
      return deleteProjectCommand({ name, yes: values.yes ?? false, json });
    }
    case 'deployments':
      return deploymentsCommand({ json, project: await project(), id: args[0] && checkDeploymentId(args[0], 'ID') });
    case 'logs':
      return logsCommand({
        json,
        project: await project(),
        deployment: values.deployment && checkDeploymentId(values.deployment, '--deployment'),
        follow: values.follow ?? false,
      });
    case 'cancel':
      return cancelCommand({
        json,
        project: await project(),
        deployment: checkDeploymentId(required(values.deployment, NEEDS_DEPLOYMENT('cancel')), '--deployment'),
      });
    case 'rollback':
      return rollbackCommand({
        project: await project(),
        to: checkDeploymentId(required(values.to, 'rollback needs --to ID: pick one with `slipway deployments`'), '--to'),
        promote: values.promote ?? false,
        json,
      });
    case 'env': {
      const action = required(subcommand(line, args[0]), 'env needs list, set KEY VALUE or unset KEY: slipway env list');
      return envCommand({
        action,
        rest: args.slice(1),
        project: await project(),
        secret: values.secret ?? false,
        target: values.target,
        json,
      });
    }
    case 'settings':
      return settingsCommand({
        project: await project(),
        json,
        buildCommand: values['build-command'],
        installCommand: values['install-command'],
        rootDirectory: values['root-directory'],
        nodeVersion: values['node-version'],
      });
    case 'domains': {
      const action = required(subcommand(line, args[0]), 'domains needs list, add DOMAIN or remove DOMAIN: slipway domains list');
      return domainsCommand({ action, rest: args.slice(1), project: await project(), json });
    }
    case 'github': {
      const sub = required(subcommand(line, args[0]), 'github needs repos or link OWNER/REPO: slipway github repos');
      if (sub === 'repos') return githubReposCommand({ json });
      return githubLinkCommand({
        project: await project(),
        repository: required(args[1], 'github link needs OWNER/REPO: slipway github link acme/site'),
        branch: values.branch,
        json,
      });
    }
    case 'approve':
      return approveCommand({
        project: await project(),
        deployment: checkDeploymentId(required(values.deployment, NEEDS_DEPLOYMENT('approve')), '--deployment'),
        json,
      });
    case 'executions':
      return executionsCommand({ json, status: executionStatus(values.status) });
    case 'limits':
      return limitsCommand({ json });
    case 'whoami':
      return whoamiCommand({ json });
    case 'tokens':
      return tokensCommand({
        action: subcommand(line, args[0]),
        tokenId: args[1],
        label: values.label,
        ttlDays: ttlDays(values['ttl-days']),
        json,
      });
    case 'admin': {
      const sub = required(subcommand(line, args[0]), 'admin needs users, audit, retry, subscriptions or subscription: slipway help admin');
      const rest = args.slice(1);
      if (sub === 'audit') {
        if (values.month !== undefined && !/^\d{4}-(0[1-9]|1[0-2])$/.test(values.month))
          throw new UsageError(`--month must be YYYY-MM, got ${values.month}`);
        return auditCommand({ month: values.month, json });
      }
      if (sub === 'retry') {
        const execution = required(rest[0], 'admin retry needs an EXECUTION_NAME: see `slipway executions --status failed`');
        return retryCommand({ execution, follow: values.follow ?? false, json });
      }
      if (sub === 'subscriptions') {
        if (rest[0] === undefined) return subscriptionsCommand({ limits: [], json });
        if (rest[0] !== 'set' || !rest[1])
          throw new UsageError('admin subscriptions set needs NAME: slipway admin subscriptions set pro --limit buildsPerDay=50');
        return subscriptionsCommand({ set: rest[1], limits: values.limit ?? [], json });
      }
      if (sub === 'subscription') {
        if (!rest[0] || !rest[1]) throw new UsageError('admin subscription needs LOGIN and NAME: slipway admin subscription alice pro');
        return assignSubscriptionCommand({ login: rest[0], subscription: rest[1], json });
      }
      return usersCommand({
        action: rest[0],
        login: rest[1],
        tokenId: rest[2],
        roles: values.role ?? [],
        label: values.label,
        ttlDays: ttlDays(values['ttl-days']),
        json,
      });
    }
    default:
      throw new UsageError(`unknown command ${command}`);
  }
}

/** A mistake is answered in one line (`slipway: …`): usage errors exit 2, everything else 1. */
function fail(error: unknown): void {
  if (error instanceof UsageError) {
    process.stderr.write(`slipway: ${error.message}\n`);
    process.exitCode = 2;
  } else if (error instanceof ApiCallError) {
    process.stderr.write(`slipway: ${error.message} (${error.code})\n`);
    process.exitCode = 1;
  } else if (error instanceof PreflightError) {
    process.stderr.write(`slipway: ${error.message}\n`);
    process.exitCode = 1;
  } else {
    process.stderr.write(`slipway: ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}

try {
  const line = readCommandLine(process.argv.slice(2));
  run(line).then((code) => {
    process.exitCode = code;
  }, fail);
} catch (error) {
  fail(error);
}
