import { PutObjectCommand } from '@aws-sdk/client-s3';
import { s3Client } from '../lib/clients.js';
import { platformNames } from '../lib/config.js';
import { envKey } from '../lib/env-key.js';
import { openSecret } from '../lib/secret-box.js';
import { functionRuntimeEnvironment } from '../lib/project-settings/function-environment.js';
import { reachesBuild, reachesRuntime } from '../lib/project-settings/schemas.js';
import { getSettings, listEnv, putRuntimeSnapshot, secretContext, type EnvItem } from '../lib/project-settings/store.js';
import { instrumented } from '../lib/observability.js';
import { openState, requireDeploymentId } from './state.js';

/** Where a build finds its settings and build-time variables; the runner deletes it before any user code runs. */
export function buildEnvKey(buildId: string): string {
  return `builds/${buildId}/env.json`;
}

/** What the runner reads from `builds/<id>/env.json` (buildrunner/runner/project-config.ts parses it). */
export interface BuildEnvFile {
  version: 1;
  settings: { buildCommand?: string; installCommand?: string; rootDirectory?: string; nodeVersion?: string };
  /** Build-time variables, secrets decrypted. */
  variables: Record<string, string>;
  /** Which of `variables` are secrets: the runner redacts their values from the log. */
  secrets: string[];
}

/**
 * *Prepare build* (after the ticket check): snapshots the project's settings and variables for this
 * deployment. Build-time ones (secrets decrypted) go to `builds/<id>/env.json` in the build bucket,
 * which only this build's scoped credentials can read (and delete); runtime ones are kept, still
 * sealed, as the deployment's runtime snapshot item (handlers/lib/table/project-settings.ts), which the tenant function is started with. The
 * state and the execution history only ever see counts, never a value.
 */
async function prepareBuild(
  event: unknown,
): Promise<{ envObject: string; buildVariables: number; runtimeVariables: number; secrets: number; secretsWithheld?: true }> {
  const { state } = await openState(event, 'build-deploy');
  const deploymentId = requireDeploymentId(state);
  const [settings, all] = await Promise.all([getSettings(state.project), listEnv(state.project)]);
  // A fork's pull request is built without the project's secrets until an owner approves it.
  const withheld = (state as { withholdSecrets?: unknown }).withholdSecrets === true;
  const variables = withheld ? all.filter((item) => !item.secret) : all;
  const key = variables.some((item) => item.secret) ? await envKey() : undefined;
  const plain = (item: EnvItem): string =>
    item.secret ? openSecret(item.sealed ?? '', key as Uint8Array, secretContext(state.project, item.key)) : (item.value ?? '');

  const build = variables.filter((item) => reachesBuild(item.target));
  const runtime = variables.filter((item) => reachesRuntime(item.target));
  // Refused now, before the build, rather than at the stack update after it: the function's
  // environment on AWS must hold them (the same measure *Update project stack* applies).
  functionRuntimeEnvironment(state.project, deploymentId, Object.fromEntries(runtime.map((item) => [item.key, plain(item)])));
  // The deployment's own root directory (the CLI's, for a monorepo it packed from its workspace root) wins.
  const rootDirectory = (state as { rootDirectory?: unknown }).rootDirectory;
  const file: BuildEnvFile = {
    version: 1,
    settings: typeof rootDirectory === 'string' ? { ...settings, rootDirectory } : settings,
    variables: Object.fromEntries(build.map((item) => [item.key, plain(item)])),
    secrets: build.filter((item) => item.secret).map((item) => item.key),
  };
  const envObject = buildEnvKey(deploymentId);
  await s3Client().send(
    new PutObjectCommand({
      Bucket: platformNames().buildBucket,
      Key: envObject,
      Body: JSON.stringify(file),
      ContentType: 'application/json',
    }),
  );

  await putRuntimeSnapshot(
    state.project,
    deploymentId,
    runtime.map((item) => (item.secret ? { key: item.key, sealed: item.sealed ?? '' } : { key: item.key, value: item.value ?? '' })),
  );
  return {
    envObject,
    buildVariables: build.length,
    runtimeVariables: runtime.length,
    secrets: variables.filter((item) => item.secret).length,
    ...(withheld ? { secretsWithheld: true } : {}),
  };
}

export const handler = instrumented('prepare-build', prepareBuild);
