import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as v from 'valibot';

/**
 * The build runner as one file, for the local sandbox: Node loads it in a fraction of the time it
 * takes to resolve and read the few hundred modules of the runner and the AWS SDK, and every
 * deploy waits for that start. `npm run build` writes it after compiling, with the list of files
 * it was made from; the sandbox runs it only while none of them is newer (`freshRunnerBundle`), so
 * a compile without the bundling step never runs stale code. It sits one folder below
 * `buildrunner/`, as `runner/` does, so paths the runner resolves from its own location (the
 * adapter hook) stay the same.
 */
const BUNDLE_DIR = 'bundle';
const INPUTS = 'inputs.json';

const Inputs = v.array(v.string());

/** `<dist>/buildrunner/bundle/main.js` when it exists and no file it was made from changed since. */
export function freshRunnerBundle(runnerMain: string): string | undefined {
  const dir = join(dirname(runnerMain), BUNDLE_DIR);
  const bundle = join(dir, 'main.js');
  try {
    const made = statSync(bundle).mtimeMs;
    const inputs = v.parse(Inputs, JSON.parse(readFileSync(join(dir, INPUTS), 'utf8')));
    return inputs.every((input) => statSync(input).mtimeMs <= made) ? bundle : undefined;
  } catch {
    // No bundle, no list, or a file it was made from is gone: the compiled runner it is.
    return undefined;
  }
}

async function main(): Promise<void> {
  const buildrunner = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'buildrunner');
  const dir = join(buildrunner, BUNDLE_DIR);
  // Loaded here only: the platform imports this module for freshRunnerBundle alone.
  const { build } = await import('esbuild');
  const { metafile } = await build({
    entryPoints: [join(buildrunner, 'main.js')],
    outfile: join(dir, 'main.js'),
    metafile: true,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: `node${process.versions.node.split('.')[0]}`,
    // CommonJS dependencies (the AWS SDK) call require for Node's own modules.
    banner: {
      js: "import { createRequire as slipwayCreateRequire } from 'node:module'; const require = slipwayCreateRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });
  // What it was made from: freshRunnerBundle compares their times with the bundle's.
  const cwd = process.cwd();
  writeFileSync(join(dir, INPUTS), JSON.stringify(Object.keys(metafile.inputs).map((input) => resolve(cwd, input))));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
