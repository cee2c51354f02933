import * as v from 'valibot';
import { ApiError } from '../errors.js';
import { ProjectName } from '../schemas.js';
import { envKey } from '../../lib/env-key.js';
import { sealSecret } from '../../lib/secret-box.js';
import {
  AddDomainBody,
  MAX_ENV_VARIABLES,
  MAX_RUNTIME_ENV_BYTES,
  PutEnvBody,
  SettingsPatch,
  envProblem,
  reachesRuntime,
} from '../../lib/project-settings/schemas.js';
import {
  addDomain,
  deleteEnv,
  getSettings,
  listDomains,
  listEnv,
  putEnv,
  removeDomain,
  secretContext,
  updateSettings,
  verifyDomain,
  type EnvItem,
} from '../../lib/project-settings/store.js';
import { newDeploymentId } from '../executions.js';
import { encodeRuntimeEnvironment, functionEnvironmentBytes } from '../../lib/project-settings/function-environment.js';
import { newChallengeToken } from '../../lib/project-settings/domain-proof.js';
import { reservedDomainProblem } from '../../lib/project-settings/reserved-domains.js';
import { domainView, envView } from './view.js';
import { certificateOf } from './certificate.js';
import type { ProjectRecord } from '../records.js';
import { assertWithinLimit } from '../subscriptions/enforce.js';
import { SettingsResponse, EnvVariable, Domain, DomainList, DomainVerification } from '../responses.js';
import { currentPlatform } from '../../lib/bindings/platform.js';
import { route, type ApiRoute } from '../route.js';

/**
 * Project settings, environment variables and secrets, custom domains. Changes are read by the
 * next deployment (its *Prepare build* step snapshots them); a running or live one keeps its own.
 */
export const settingsRoutes: ApiRoute[] = [];

/** The project, refused while it is being deleted (its items are about to go). */
function writable(project: ProjectRecord): ProjectRecord {
  if (project.status === 'DELETING') throw new ApiError('Conflict', `project ${project.name} is being deleted`, 'path.name');
  return project;
}

settingsRoutes.push(
  route({
    method: 'get',
    path: '/projects/{name}/settings',
    operationId: 'getProjectSettings',
    summary: "A project's build settings (build and install command, root directory, Node version)",
    tag: 'settings',
    access: 'project:read',
    responses: { 200: SettingsResponse },
    errors: [400, 401, 404],
    handler: async (c, { params: { name } }) => {
      return c.json({ project: name, settings: await getSettings(name) });
    },
  }),
);

settingsRoutes.push(
  route({
    method: 'patch',
    path: '/projects/{name}/settings',
    operationId: 'updateProjectSettings',
    summary: 'Change build settings (null resets a field to the default); the next deployment uses them',
    tag: 'settings',
    access: 'project:write',
    body: SettingsPatch,
    responses: { 200: SettingsResponse },
    errors: [400, 401, 404, 409, 413],
    handler: async (c, { params: { name }, body, project }) => {
      const patch = body;
      if (Object.keys(patch).length === 0) {
        throw new ApiError(
          'BadRequest',
          'body is invalid: set at least one of buildCommand, installCommand, rootDirectory, nodeVersion',
          'body',
        );
      }
      writable(project);
      return c.json({ project: name, settings: await updateSettings(name, patch, c.get('caller').user) });
    },
  }),
);

// ---- environment variables ----

settingsRoutes.push(
  route({
    method: 'get',
    path: '/projects/{name}/env',
    operationId: 'listProjectEnv',
    summary: "A project's environment variables: plain values shown, secrets by name only (secret: true)",
    tag: 'settings',
    access: 'project:read',
    responses: { 200: v.object({ project: ProjectName, variables: v.array(EnvVariable) }) },
    errors: [400, 401, 404],
    handler: async (c, { params: { name } }) => {
      return c.json({ project: name, variables: (await listEnv(name)).map(envView) });
    },
  }),
);

/**
 * The function environment the runtime variables would make, measured as *Prepare build* measures
 * it (function-environment.ts) with a deployment id as long as the API makes; a stored secret
 * counts as its plaintext's length (Prepare build, which decrypts it, has the exact word).
 */
const runtimeBytes = (project: string, items: { key: string; value: string }[]) =>
  functionEnvironmentBytes(project, newDeploymentId(), encodeRuntimeEnvironment(Object.fromEntries(items.map((i) => [i.key, i.value]))));

settingsRoutes.push(
  route({
    method: 'put',
    path: '/projects/{name}/env/{key}',
    operationId: 'setProjectEnv',
    summary:
      'Set an environment variable or secret (encrypted at rest, never returned); target build, runtime or both (default); the next deployment uses it',
    tag: 'settings',
    access: 'project:write',
    body: PutEnvBody,
    responses: { 200: v.object({ project: ProjectName, variable: EnvVariable, created: v.boolean() }) },
    errors: [400, 401, 404, 409, 413],
    handler: async (c, { params: { name, key }, body, project }) => {
      const problem = envProblem(key, body.value);
      if (problem) throw new ApiError('BadRequest', problem.message, problem.field);
      writable(project);
      const target = body.target ?? 'both';
      const secret = body.secret ?? false;

      const existing = await listEnv(name);
      const others = existing.filter((item) => item.key !== key);
      if (others.length >= MAX_ENV_VARIABLES) {
        throw new ApiError(
          'BadRequest',
          `body is invalid: project ${name} already has the limit of ${MAX_ENV_VARIABLES} environment variables`,
          'path.key',
        );
      }
      if (reachesRuntime(target)) {
        // Sizes of the stored runtime variables: a secret's plaintext is about 3/4 of its sealed form minus the framing.
        const sizes = others
          .filter((item) => reachesRuntime(item.target))
          .map((item) => ({
            key: item.key,
            value: item.secret ? 'x'.repeat(Math.floor(((item.sealed?.split('.')[3] ?? '').length * 3) / 4)) : (item.value ?? ''),
          }));
        const total = runtimeBytes(name, [...sizes, { key, value: body.value }]);
        if (total > MAX_RUNTIME_ENV_BYTES) {
          throw new ApiError(
            'BadRequest',
            `body.value is invalid: the function's environment would take ${total} bytes (names, values, their encoding and the platform's own variables), over the limit of ${MAX_RUNTIME_ENV_BYTES} bytes for a function's environment`,
            'body.value',
          );
        }
      }

      const item: EnvItem = {
        key,
        target,
        secret,
        ...(secret ? { sealed: sealSecret(body.value, await envKey(), secretContext(name, key)) } : { value: body.value }),
        updatedAt: new Date().toISOString(),
        updatedBy: c.get('caller').user,
      };
      await putEnv(name, item);
      return c.json({ project: name, variable: envView(item), created: !existing.some((e) => e.key === key) });
    },
  }),
);

settingsRoutes.push(
  route({
    method: 'delete',
    path: '/projects/{name}/env/{key}',
    operationId: 'unsetProjectEnv',
    summary: 'Remove an environment variable or secret; the next deployment goes without it',
    tag: 'settings',
    access: 'project:write',
    responses: { 200: v.object({ project: ProjectName, deleted: v.string() }) },
    errors: [400, 401, 404, 409, 413],
    handler: async (c, { params: { name, key }, project }) => {
      writable(project);
      if (!(await deleteEnv(name, key))) throw new ApiError('NotFound', `project ${name} has no environment variable ${key}`, 'path.key');
      return c.json({ project: name, deleted: key });
    },
  }),
);

// ---- custom domains ----

settingsRoutes.push(
  route({
    method: 'get',
    path: '/projects/{name}/domains',
    operationId: 'listProjectDomains',
    summary:
      "A project's custom domains, each PENDING (with the TXT record that proves it) or VERIFIED, with its HTTPS certificate's state",
    tag: 'settings',
    access: 'project:read',
    responses: { 200: DomainList },
    errors: [400, 401, 404],
    handler: async (c, { params: { name } }) => {
      const domains = await Promise.all((await listDomains(name)).map(async (item) => domainView(item, await certificateOf(item))));
      const target = currentPlatform().customDomainTarget;
      return c.json({ project: name, domains, ...(target ? { target } : {}) });
    },
  }),
);

settingsRoutes.push(
  route({
    method: 'post',
    path: '/projects/{name}/domains',
    operationId: 'addProjectDomain',
    summary: 'Add a custom domain, PENDING until the TXT record in the answer is published and verified; 409 if another project holds it',
    tag: 'settings',
    access: 'project:write',
    body: AddDomainBody,
    responses: { 201: v.object({ project: ProjectName, domain: Domain }) },
    errors: [400, 401, 404, 409, 413, 429],
    handler: async (c, { params: { name }, body, project }) => {
      const { domain } = body;
      const reserved = reservedDomainProblem(domain);
      if (reserved) throw new ApiError('BadRequest', `body.domain is invalid: ${reserved}`, 'body.domain');
      writable(project);
      const current = await listDomains(name);
      if (current.some((d) => d.domain === domain))
        throw new ApiError('Conflict', `project ${name} already has the domain ${domain}`, 'body.domain');
      // The owner's subscription bounds the project's domains, whoever adds one.
      await assertWithinLimit(project.owner, 'customDomainsPerProject', current.length);
      const item = {
        domain,
        project: name,
        status: 'PENDING' as const,
        token: newChallengeToken(),
        createdAt: new Date().toISOString(),
        createdBy: c.get('caller').user,
      };
      const added = await addDomain(item);
      if (!added.ok) throw new ApiError('Conflict', `domain ${domain} is already used by another project`, 'body.domain');
      return c.json({ project: name, domain: domainView(item, 'none') }, 201);
    },
  }),
);

settingsRoutes.push(
  route({
    method: 'post',
    path: '/projects/{name}/domains/{domain}/verify',
    operationId: 'verifyProjectDomain',
    summary:
      "Look up the domain's TXT record now: VERIFIED when it holds the token (the edge serves the domain from the next release), else still PENDING with what is missing",
    tag: 'settings',
    access: 'project:write',
    responses: { 200: DomainVerification },
    errors: [400, 401, 404, 409, 413],
    handler: async (c, { params: { name, domain }, project }) => {
      writable(project);
      const item = (await listDomains(name)).find((d) => d.domain === domain);
      if (!item) throw new ApiError('NotFound', `project ${name} has no domain ${domain}`, 'path.domain');
      const { item: after, check } = await verifyDomain(item);
      const domainNow = domainView(after, await certificateOf(after));
      return c.json({ project: name, domain: domainNow, ...(check.proven ? {} : { problem: check.problem }) });
    },
  }),
);

settingsRoutes.push(
  route({
    method: 'delete',
    path: '/projects/{name}/domains/{domain}',
    operationId: 'removeProjectDomain',
    summary: 'Remove a custom domain; the edge stops serving it at the next release',
    tag: 'settings',
    access: 'project:write',
    responses: { 200: v.object({ project: ProjectName, deleted: v.string() }) },
    errors: [400, 401, 404, 409, 413],
    handler: async (c, { params: { name, domain }, project }) => {
      writable(project);
      if (!(await removeDomain(name, domain))) throw new ApiError('NotFound', `project ${name} has no domain ${domain}`, 'path.domain');
      return c.json({ project: name, deleted: domain });
    },
  }),
);
