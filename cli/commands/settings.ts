import { UsageError } from '../usage-error.js';
import { printResult } from '../output.js';
import { ApiClient } from '../api-client.js';
import { connect } from '../connection.js';
import { readStdin } from '../prompt.js';

const path = (project: string, ...rest: string[]) => `/projects/${[project, ...rest].map(encodeURIComponent).join('/')}`;
const out = (json: boolean, value: unknown, text: string) => printResult(json, value, () => [text]);

interface Variable {
  key: string;
  target: string;
  secret: boolean;
  value?: string;
}

/**
 * `slipway env list|set KEY VALUE [--secret] [--target build|runtime|both]|unset KEY --project NAME`.
 * VALUE `-` reads the value from stdin, so a secret need not appear on a command line.
 */
export async function envCommand(args: {
  action: string | undefined;
  rest: string[];
  project: string;
  secret: boolean;
  target?: string;
  json: boolean;
}): Promise<number> {
  const api = new ApiClient(await connect());
  switch (args.action) {
    case 'list': {
      const { variables } = await api.get<{ variables: Variable[] }>(path(args.project, 'env'));
      const lines = variables.map((v) => `${v.key}\t${v.target}\t${v.secret ? '(secret)' : (v.value ?? '')}`);
      out(args.json, { variables }, lines.length ? lines.join('\n') : `${args.project} has no environment variables`);
      return 0;
    }
    case 'set': {
      const [key, given] = args.rest;
      if (!key || given === undefined) throw new UsageError('env set needs KEY and VALUE (VALUE - reads it from stdin)');
      if (args.target !== undefined && !['build', 'runtime', 'both'].includes(args.target))
        throw new UsageError(`--target must be build, runtime or both, got ${args.target}`);
      const value = given === '-' ? await readStdin() : given;
      const result = await api.request<{ variable: Variable; created: boolean }>('PUT', path(args.project, 'env', key), {
        value,
        secret: args.secret,
        ...(args.target ? { target: args.target } : {}),
      });
      out(
        args.json,
        result,
        `slipway: ${result.created ? 'set' : 'updated'} ${key}${args.secret ? ' (secret)' : ''} for ${result.variable.target}; the next deployment uses it`,
      );
      return 0;
    }
    case 'unset': {
      const [key] = args.rest;
      if (!key) throw new UsageError('env unset needs KEY');
      const result = await api.request<{ deleted: string }>('DELETE', path(args.project, 'env', key));
      out(args.json, result, `slipway: removed ${key}; the next deployment goes without it`);
      return 0;
    }
    default:
      throw new UsageError(args.action ? `unknown env command ${args.action}` : 'env needs a command: list, set or unset');
  }
}

/** `slipway settings [--build-command CMD] [--install-command CMD] [--root-directory DIR] [--node-version 20|22] --project NAME`: no flag shows them; `""` resets one. */
export async function settingsCommand(args: {
  project: string;
  json: boolean;
  buildCommand?: string;
  installCommand?: string;
  rootDirectory?: string;
  nodeVersion?: string;
}): Promise<number> {
  const api = new ApiClient(await connect());
  const patch: Record<string, string | null> = {};
  const fields = {
    buildCommand: args.buildCommand,
    installCommand: args.installCommand,
    rootDirectory: args.rootDirectory,
    nodeVersion: args.nodeVersion,
  };
  for (const [field, value] of Object.entries(fields)) if (value !== undefined) patch[field] = value === '' ? null : value;
  const result = Object.keys(patch).length
    ? await api.request<{ settings: Record<string, string> }>('PATCH', path(args.project, 'settings'), patch)
    : await api.get<{ settings: Record<string, string> }>(path(args.project, 'settings'));
  const s = result.settings;
  out(
    args.json,
    result,
    [
      `build command:   ${s.buildCommand ?? "(the package manager's build script)"}`,
      `install command: ${s.installCommand ?? '(from the lockfile)'}`,
      `root directory:  ${s.rootDirectory ?? '(the source root)'}`,
      `node version:    ${s.nodeVersion ?? '(the platform default)'}`,
    ].join('\n'),
  );
  return 0;
}

interface DomainView {
  domain: string;
  status: 'PENDING' | 'VERIFIED';
  verification: { type: string; name: string; value: string };
  createdAt: string;
  /** The HTTPS certificate's state (API field `certificate`); absent from an older API. */
  certificate?: string;
}

/** A verified domain's HTTPS certificate, and where its CNAME points while it is not issued (when the API names it). */
function certificateLines(d: DomainView, target: string | undefined): string[] {
  if (!d.certificate) return [];
  return [
    `  https certificate: ${d.certificate}`,
    ...(target && d.certificate !== 'issued' ? [`  CloudFront validates it once ${d.domain} is a CNAME to ${target}`] : []),
  ];
}

/** What to publish for a pending domain, as a DNS zone line and in words. */
function proofLines(d: DomainView): string[] {
  return [
    `  create this DNS record to prove you own ${d.domain}:`,
    `    ${d.verification.name}  ${d.verification.type}  "${d.verification.value}"`,
    `  then run: slipway domains verify ${d.domain} (or deploy: each release checks again)`,
  ];
}

/** `slipway domains list|add DOMAIN|verify DOMAIN|remove DOMAIN --project NAME`. */
export async function domainsCommand(args: {
  action: string | undefined;
  rest: string[];
  project: string;
  json: boolean;
}): Promise<number> {
  const api = new ApiClient(await connect());
  switch (args.action) {
    case 'list': {
      const result = await api.get<{ domains: DomainView[]; target?: string }>(path(args.project, 'domains'));
      out(
        args.json,
        result,
        result.domains.length
          ? result.domains
              .flatMap((d) => [
                `${d.domain}\t${d.status}\t${d.createdAt}`,
                ...(d.status === 'PENDING' ? proofLines(d) : certificateLines(d, result.target)),
              ])
              .join('\n')
          : `${args.project} has no custom domains`,
      );
      return 0;
    }
    case 'add': {
      const [domain] = args.rest;
      if (!domain) throw new UsageError('domains add needs DOMAIN');
      const result = await api.post<{ domain: DomainView }>(path(args.project, 'domains'), { domain });
      out(args.json, result, [`slipway: added ${domain}, PENDING until its ownership is proven`, ...proofLines(result.domain)].join('\n'));
      return 0;
    }
    case 'verify': {
      const [domain] = args.rest;
      if (!domain) throw new UsageError('domains verify needs DOMAIN');
      const result = await api.request<{ domain: DomainView; problem?: string }>('POST', path(args.project, 'domains', domain, 'verify'));
      out(
        args.json,
        result,
        result.domain.status === 'VERIFIED'
          ? `slipway: ${domain} is VERIFIED; it is served from the next deployment or rollback`
          : [`slipway: ${domain} is still PENDING: ${result.problem ?? 'its TXT record was not found'}`, ...proofLines(result.domain)].join(
              '\n',
            ),
      );
      return result.domain.status === 'VERIFIED' ? 0 : 1;
    }
    case 'remove': {
      const [domain] = args.rest;
      if (!domain) throw new UsageError('domains remove needs DOMAIN');
      const result = await api.request<{ deleted: string }>('DELETE', path(args.project, 'domains', domain));
      out(args.json, result, `slipway: removed ${domain}`);
      return 0;
    }
    default:
      throw new UsageError(args.action ? `unknown domains command ${args.action}` : 'domains needs a command: list, add, verify or remove');
  }
}
