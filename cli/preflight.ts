import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The app cannot be built as it is: said in one line with the fix, before anything is uploaded or created. */
export class PreflightError extends Error {}

interface PackageJson {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  scripts?: Record<string, string>;
}

/**
 * Checks that `appDir` is a SvelteKit app the build can run: a package.json, `@sveltejs/kit` among
 * its dependencies, and a build script unless the project has a build command of its own.
 */
export async function preflight(appDir: string, projectBuildCommand: () => Promise<string | undefined>): Promise<void> {
  let text: string;
  try {
    text = await readFile(join(appDir, 'package.json'), 'utf8');
  } catch {
    throw new PreflightError(
      `${appDir} has no package.json: run slipway deploy in your SvelteKit app's directory (a new one: npx sv create my-app)`,
    );
  }
  let pkg: PackageJson;
  try {
    pkg = JSON.parse(text) as PackageJson;
  } catch (error) {
    throw new PreflightError(`${join(appDir, 'package.json')} is not valid JSON: ${(error as Error).message}`);
  }
  if (!pkg.dependencies?.['@sveltejs/kit'] && !pkg.devDependencies?.['@sveltejs/kit']) {
    throw new PreflightError(
      `${join(appDir, 'package.json')} has no @sveltejs/kit dependency: Slipway deploys SvelteKit apps (add it: npm install -D @sveltejs/kit)`,
    );
  }
  if (!pkg.scripts?.build && !(await projectBuildCommand())) {
    throw new PreflightError(
      `${join(appDir, 'package.json')} has no "build" script: add "build": "vite build" to its scripts (or: slipway settings --build-command CMD)`,
    );
  }
}
