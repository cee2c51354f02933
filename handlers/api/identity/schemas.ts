import * as v from 'valibot';
import { ROLES } from './roles.js';

/** A GitHub login: letters, digits and single hyphens, at most 39 characters (stored lowercase by the records). */
export const Login = v.pipe(
  v.string('must be a string'),
  v.regex(
    /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/,
    'must be a GitHub login: 1–39 letters, digits and single hyphens, not starting or ending with "-"',
  ),
);

/**
 * The login of a new user: `admin` is the admin token's name (its projects' owner, its subscription),
 * so no user may take it. A plain regex, so the OpenAPI document can carry it.
 */
export const NewLogin = v.pipe(
  v.string('must be a string'),
  v.regex(
    /^(?![Aa][Dd][Mm][Ii][Nn]$)[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/,
    'must be a GitHub login (1–39 letters, digits and single hyphens, not starting or ending with "-"), and not "admin"',
  ),
);

export const RoleList = v.pipe(
  v.array(v.picklist(ROLES, `must be one of ${ROLES.join(', ')}`), 'must be an array of roles'),
  v.maxLength(ROLES.length, `must list at most ${ROLES.length} roles`),
);

export const CreateUserBody = v.strictObject({ login: NewLogin, roles: v.optional(RoleList, ['user']) });
export const SetRolesBody = v.strictObject({ roles: RoleList });

export const TOKEN_TTL_DAYS_MAX = 365;
export const IssueTokenBody = v.strictObject({
  label: v.pipe(
    v.string('must be a string'),
    v.regex(/^\S(?:.*\S)?$/, 'must not be empty nor start or end with a space'),
    v.maxLength(100, 'must be at most 100 characters'),
  ),
  ttlDays: v.optional(
    v.pipe(
      v.number('must be a number'),
      v.integer('must be an integer'),
      v.minValue(1, 'must be at least 1'),
      v.maxValue(TOKEN_TTL_DAYS_MAX, `must be at most ${TOKEN_TTL_DAYS_MAX}`),
    ),
  ),
});

export const TokenId = v.pipe(v.string(), v.regex(/^[0-9a-f]{16}$/, 'is not a token id (16 hexadecimal digits)'));

/** What GitHub sends back to the OAuth callback. */
export const OAuthCallbackQuery = v.object({
  code: v.optional(v.pipe(v.string(), v.maxLength(200))),
  state: v.optional(v.pipe(v.string(), v.maxLength(200))),
  error: v.optional(v.pipe(v.string(), v.maxLength(200))),
});
