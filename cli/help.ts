import { COMMANDS, type CommandSpec } from './command-table.js';
import { closest } from '../handlers/lib/did-you-mean.js';
import { FLAGS, flagSynopsis, GLOBAL_FLAGS } from './flags.js';
import { UsageError } from './usage-error.js';

const GROUPS: CommandSpec['group'][] = ['Your app', 'Account', 'Platform', 'Operators'];

/** `slipway help`: every command in one line, by group, and where to read more. */
export function globalHelp(): string {
  const lines = ['usage: slipway <command> [options]', ''];
  for (const group of GROUPS) {
    lines.push(`${group}:`);
    for (const [name, spec] of Object.entries(COMMANDS)) if (spec.group === group) lines.push(`  ${name.padEnd(13)} ${spec.summary}`);
    lines.push('');
  }
  lines.push(
    'Start here: `slipway login`, then in your app `slipway link` and `slipway deploy`.',
    '`slipway help COMMAND` (or `slipway COMMAND --help`) shows its flags and examples; --json on any command prints JSON.',
  );
  return lines.join('\n');
}

/** `slipway help deploy`: its usage, what to know, its flags and examples. */
export function commandHelp(name: string): string {
  const spec = COMMANDS[name];
  if (!spec) {
    const guess = closest(name, Object.keys(COMMANDS));
    throw new UsageError(`no command "${name}"${guess ? `: did you mean \`slipway help ${guess}\`?` : ''} (\`slipway help\` lists them)`);
  }
  const lines = [`${spec.summary}`, '', 'usage:', ...spec.usage.map((u) => `  slipway ${u}`)];
  if (spec.details) lines.push('', ...spec.details);
  const flags = [...spec.flags, ...GLOBAL_FLAGS];
  lines.push('', 'flags:', ...flags.map((flag) => `  ${flagSynopsis(flag).padEnd(36)} ${FLAGS[flag].help}`));
  lines.push('', 'examples:', ...spec.examples.map((e) => `  ${e}`));
  return lines.join('\n');
}
