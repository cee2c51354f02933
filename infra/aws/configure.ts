import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CONTEXT_KEY_NAMES } from './context-keys.js';
import { describeChange, mergeContext, missingCompanions, parseContextRequest, usage } from './configure-context.js';

/** The file the cdk CLI reads context from, beside cdk.json. */
export const CONTEXT_FILE = 'cdk.context.json';

function readContextFile(file: string): Record<string, unknown> {
  if (!existsSync(file)) return {};
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(`${file} does not hold a JSON object`);
  return parsed as Record<string, unknown>;
}

/**
 * Runs the configure command against `file`; returns the exit code (2: a bad option or value,
 * reported as JSON on `err`). The file is replaced whole (written beside it, then renamed), so an
 * interrupted run leaves the old one.
 */
export function runConfigure(argv: readonly string[], file: string, out: (line: string) => void, err: (line: string) => void): number {
  try {
    const request = parseContextRequest(argv);
    if (request.help) {
      out(usage());
      return 0;
    }
    const existing = readContextFile(file);
    const { context, changes } = mergeContext(existing, request);
    if (Object.keys(request.set).length === 0 && request.unset.length === 0) {
      const set = CONTEXT_KEY_NAMES.filter((key) => existing[key] !== undefined);
      out(
        set.length === 0
          ? `${CONTEXT_FILE}: no platform context keys set`
          : set.map((key) => `${key}: ${String(existing[key])}`).join('\n'),
      );
      return 0;
    }
    if (changes.length === 0) {
      out(`${CONTEXT_FILE}: unchanged`);
      return 0;
    }
    writeFileSync(`${file}.tmp`, `${JSON.stringify(context, null, 2)}\n`);
    renameSync(`${file}.tmp`, file);
    for (const change of changes) out(describeChange(change));
    out(`${CONTEXT_FILE}: ${changes.length} key${changes.length === 1 ? '' : 's'} changed; the next cdk deploy uses them`);
    for (const missing of missingCompanions(context)) out(`note: ${missing}`);
    return 0;
  } catch (error) {
    err(error instanceof Error ? error.message : String(error));
    return 2;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = runConfigure(
    process.argv.slice(2),
    resolve(CONTEXT_FILE),
    (line) => process.stdout.write(`${line}\n`),
    (line) => process.stderr.write(`${line}\n`),
  );
}
