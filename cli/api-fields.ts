/**
 * The API names a bad field as it sees it (`query.status`, `body.deploymentId`, `path.key`); the CLI
 * user typed a flag or an argument. One table turns the one into the other in error messages; the
 * API's JSON keeps its field names.
 */
const FIELD_WORDS: Record<string, string> = {
  'path.name': '--project',
  'body.name': 'NAME',
  'path.id': '--deployment',
  'body.deploymentId': '--to',
  'query.status': '--status',
  'query.month': '--month',
  'body.preview': '--preview',
  'body.buildCommand': '--build-command',
  'body.installCommand': '--install-command',
  'body.rootDirectory': '--root-directory',
  'body.nodeVersion': '--node-version',
  'path.key': 'KEY',
  'body.value': 'VALUE',
  'body.target': '--target',
  'body.domain': 'DOMAIN',
  'path.domain': 'DOMAIN',
  'body.label': '--label',
  'body.ttlDays': '--ttl-days',
  'path.login': 'LOGIN',
  'body.login': 'LOGIN',
  'body.roles': '--role',
  'body.repository': 'OWNER/REPO',
  'body.productionBranch': '--branch',
  'body.limits': '--limit',
  'body.subscription': 'NAME',
  'path.token': 'TOKEN_ID',
  'path.execution': 'EXECUTION_NAME',
};

/** API texts the CLI has its own words for. */
const PHRASES: Array<[RegExp, string]> = [[/create a user \(POST \/admin\/users\)/g, 'create a user (`slipway admin users create LOGIN`)']];

const FIELD_PATTERN = new RegExp(
  `(?<![\\w.])(${Object.keys(FIELD_WORDS)
    .map((f) => f.replace('.', '\\.'))
    .join('|')})(?![\\w])`,
  'g',
);

/** An API error message in the CLI's words: `query.status is invalid` → `--status is invalid`. */
export function inCliWords(message: string): string {
  let text = message.replace(FIELD_PATTERN, (field) => FIELD_WORDS[field] ?? field);
  for (const [pattern, words] of PHRASES) text = text.replace(pattern, words);
  return text;
}
