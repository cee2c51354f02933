import { ApiClient } from '../api-client.js';
import { connect } from '../connection.js';
import { printResult } from '../output.js';
import { UsageError } from '../usage-error.js';

interface User {
  login: string;
  roles: string[];
  subscription?: string;
  createdAt: string;
}
interface TokenRecord {
  id: string;
  user: string;
  label: string;
  createdAt: string;
  expiresAt?: number;
}

const api = async () => new ApiClient(await connect());
const userLine = (u: User) => `${u.login.padEnd(24)} ${(u.roles.join(',') || '-').padEnd(40)} ${u.subscription ?? '-'}`;
const tokenLine = (t: TokenRecord) =>
  `${t.id}  ${t.label.padEnd(24)} ${t.createdAt}${t.expiresAt ? `  expires ${new Date(t.expiresAt * 1000).toISOString()}` : ''}`;

/** `slipway whoami`: the caller's login, roles and permissions. */
export async function whoamiCommand(args: { json: boolean }): Promise<number> {
  const me = await (await api()).get<{ user: string; roles: string[]; permissions: string[]; via: string }>('/me');
  printResult(args.json, me, () => [
    `${me.user} (${me.via})`,
    `roles: ${me.roles.join(', ') || 'none'}`,
    `permissions: ${me.permissions.join(', ') || 'none'}`,
  ]);
  return 0;
}

/** `slipway admin users [create LOGIN|roles LOGIN|delete LOGIN|token LOGIN|revoke LOGIN ID] [--role R ...] [--label L] [--ttl-days N]`. */
export async function usersCommand(args: {
  action?: string;
  login?: string;
  tokenId?: string;
  roles: string[];
  label?: string;
  ttlDays?: number;
  json: boolean;
}): Promise<number> {
  const client = await api();
  const login = () => {
    if (!args.login) throw new UsageError(`admin users ${args.action} needs a LOGIN`);
    return encodeURIComponent(args.login);
  };
  switch (args.action) {
    case undefined: {
      const result = await client.get<{ users: User[] }>('/admin/users');
      printResult(args.json, result, () =>
        result.users.length ? result.users.map(userLine) : ['no users yet: slipway admin users create LOGIN --role user'],
      );
      return 0;
    }
    case 'show': {
      const result = await client.get<{ user: User; tokens: TokenRecord[] }>(`/admin/users/${login()}`);
      printResult(args.json, result, () => [userLine(result.user), ...result.tokens.map((t) => `  token ${tokenLine(t)}`)]);
      return 0;
    }
    case 'create': {
      const result = await client.request<{ user: User }>('POST', '/admin/users', {
        login: args.login ?? login(),
        ...(args.roles.length ? { roles: args.roles } : {}),
      });
      printResult(args.json, result, () => [userLine(result.user)]);
      return 0;
    }
    case 'roles': {
      const result = await client.request<{ user: User }>('PUT', `/admin/users/${login()}/roles`, { roles: args.roles });
      printResult(args.json, result, () => [userLine(result.user)]);
      return 0;
    }
    case 'delete': {
      const result = await client.request<{ deleted: string }>('DELETE', `/admin/users/${login()}`);
      printResult(args.json, result, () => [`deleted ${result.deleted}`]);
      return 0;
    }
    case 'token': {
      if (!args.label) throw new UsageError('admin users token needs --label');
      const result = await client.request<{ token: string; record: TokenRecord }>('POST', `/admin/users/${login()}/tokens`, {
        label: args.label,
        ...(args.ttlDays ? { ttlDays: args.ttlDays } : {}),
      });
      // The only time the token is shown: the platform keeps just its hash.
      printResult(args.json, result, () => [
        result.token,
        `(token ${result.record.id} for ${result.record.user}: store it now, it is not shown again)`,
      ]);
      return 0;
    }
    case 'revoke': {
      if (!args.tokenId) throw new UsageError('admin users revoke needs LOGIN and a TOKEN_ID');
      const result = await client.request<{ revoked: string }>(
        'DELETE',
        `/admin/users/${login()}/tokens/${encodeURIComponent(args.tokenId)}`,
      );
      printResult(args.json, result, () => [`revoked ${result.revoked}`]);
      return 0;
    }
    default:
      throw new UsageError(`unknown admin users command ${args.action}`);
  }
}

/** `slipway tokens [create --label L [--ttl-days N]|revoke ID]`: the caller's own API tokens. */
export async function tokensCommand(args: {
  action?: string;
  tokenId?: string;
  label?: string;
  ttlDays?: number;
  json: boolean;
}): Promise<number> {
  const client = await api();
  if (args.action === undefined) {
    const result = await client.get<{ tokens: TokenRecord[] }>('/me/tokens');
    printResult(args.json, result, () =>
      result.tokens.length ? result.tokens.map(tokenLine) : ['no tokens: slipway tokens create --label LABEL'],
    );
    return 0;
  }
  if (args.action === 'create') {
    if (!args.label) throw new UsageError('tokens create needs --label');
    const result = await client.request<{ token: string; record: TokenRecord }>('POST', '/me/tokens', {
      label: args.label,
      ...(args.ttlDays ? { ttlDays: args.ttlDays } : {}),
    });
    printResult(args.json, result, () => [result.token, `(token ${result.record.id}: store it now, it is not shown again)`]);
    return 0;
  }
  if (args.action === 'revoke') {
    if (!args.tokenId) throw new UsageError('tokens revoke needs a TOKEN_ID');
    const result = await client.request<{ revoked: string }>('DELETE', `/me/tokens/${encodeURIComponent(args.tokenId)}`);
    printResult(args.json, result, () => [`revoked ${result.revoked}`]);
    return 0;
  }
  throw new UsageError(`unknown tokens command ${args.action}`);
}
