import type { Invocation, PackageManagerPlan } from './package-manager.js';

/** npm's refusal of a peer dependency conflict, which `--legacy-peer-deps` installs past (as npm 6 did). */
const PEER_CONFLICT = /\bERESOLVE\b/;

export interface InstallFailure {
  project: string;
  /** The install that failed. */
  failed: Invocation;
  /** Whether it was the project's own install command (`settings --install-command`), not the detected one. */
  own: boolean;
  /** The detected plan: its manager and its install that updates the lockfile. */
  plan: Pick<PackageManagerPlan, 'name' | 'relaxed'>;
  /** What the install printed (its last lines are enough). */
  output: readonly string[];
}

/** An invocation as a shell command line (what `--install-command` takes: it runs in a shell). */
function commandLine(invocation: Invocation): string {
  return [invocation.command, ...invocation.args].map((word) => (/^[\w@./=:+-]+$/.test(word) ? word : `'${word}'`)).join(' ');
}

function settingsCommand(project: string, installCommand: string): string {
  return `slipway settings --project ${project} --install-command ${JSON.stringify(installCommand)}`;
}

/**
 * The sentence a failed install's reason ends with: the one `slipway settings` command that would
 * install differently, chosen from what failed and what it printed.
 */
export function installHint(failure: InstallFailure): string {
  const { project, failed, own, plan, output } = failure;
  if (own) {
    return `the project's own install command failed: fix it with ${settingsCommand(project, '<command>')}, or go back to the detected install with ${settingsCommand(project, '')}`;
  }
  if (plan.name === 'npm' && output.some((line) => PEER_CONFLICT.test(line))) {
    return `to install past the peer dependency conflict above: ${settingsCommand(project, 'npm install --legacy-peer-deps')}`;
  }
  const relaxed = plan.relaxed?.install;
  if (relaxed && relaxed !== failed) {
    return `to install without holding to the lockfile: ${settingsCommand(project, commandLine(relaxed))}`;
  }
  return `fix the error above in the app's dependencies, or install another way: ${settingsCommand(project, '<command>')}`;
}
