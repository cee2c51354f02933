import { parseArgs } from 'node:util';
import { COMMAND_NAMES, COMMANDS, type CommandSpec } from './command-table.js';
import { closest } from '../handlers/lib/did-you-mean.js';
import { FLAGS, type FlagName, flagSynopsis, GLOBAL_FLAGS, parseArgsOptions } from './flags.js';
import { UsageError } from './usage-error.js';

type Flags = typeof FLAGS;
/** The flags' values as their specs type them: a string, the strings of a repeated flag, or a boolean. */
export type FlagValues = {
  [K in FlagName]?: Flags[K]['type'] extends 'string' ? (Flags[K] extends { multiple: true } ? string[] : string) : boolean;
};

export interface CommandLine {
  /** Undefined for a bare `slipway` (and `slipway --version`). */
  command: string | undefined;
  spec: CommandSpec | undefined;
  /** The positionals after the command. */
  args: string[];
  values: FlagValues;
}

/**
 * Reads a command line against the command table: the command and each flag must be known to it
 * (a near miss is named: "did you mean"), a flag that takes a value has one. parseArgs runs
 * non-strict, so its own messages never reach the user: every refusal here is one line of ours.
 */
export function readCommandLine(argv: readonly string[]): CommandLine {
  const { values, positionals, tokens } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: false,
    tokens: true,
    options: parseArgsOptions(),
  });
  const [command, ...args] = positionals;
  const spec = command === undefined ? undefined : COMMANDS[command];
  if (command !== undefined && !spec) {
    const guess = closest(command, COMMAND_NAMES);
    throw new UsageError(
      `unknown command "${command}"${guess ? `: did you mean \`slipway ${guess}\`?` : ''} (\`slipway help\` lists the commands)`,
    );
  }
  const allowed: readonly string[] = spec ? [...spec.flags, ...GLOBAL_FLAGS] : [...GLOBAL_FLAGS, 'version'];
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const where = command ?? 'slipway';
    if (!allowed.includes(token.name)) {
      const guess = closest(token.name, allowed);
      const known = token.name in FLAGS;
      throw new UsageError(
        `${where} ${known ? 'takes no' : 'has no'} ${token.rawName} flag${guess ? `: did you mean --${guess}?` : ''}` +
          ` (\`slipway help${command ? ` ${command}` : ''}\` lists its flags)`,
      );
    }
    const name = token.name as FlagName;
    if (FLAGS[name].type === 'string' && (token.value === undefined || (!token.inlineValue && token.value.startsWith('--')))) {
      throw new UsageError(`${token.rawName} needs a value: ${flagSynopsis(name)}`);
    }
    if (FLAGS[name].type === 'boolean' && token.value !== undefined) throw new UsageError(`${token.rawName} takes no value`);
  }
  return { command, spec, args, values: values as FlagValues };
}

/**
 * A subcommand the verb knows, or a one-line refusal naming the closest one and the help to read.
 * `undefined` when the verb was given none (the caller decides what that means).
 */
export function subcommand(line: CommandLine, given: string | undefined): string | undefined {
  const known = line.spec?.subcommands ?? [];
  if (given === undefined || known.includes(given)) return given;
  const guess = closest(given, known);
  throw new UsageError(
    `${line.command} has no command "${given}"${guess ? `: did you mean \`slipway ${line.command} ${guess}\`?` : ''}` +
      ` (\`slipway help ${line.command}\` lists them)`,
  );
}
