import { Hono, type Context } from 'hono';
import * as v from 'valibot';
import { ApiError, parse } from '../errors.js';
import { accessedProject, jsonBody, type ApiEnv } from '../context.js';
import { ProjectName } from '../schemas.js';
import { envKey } from '../../lib/env-key.js';
import { sealSecret } from '../../lib/secret-box.js';
import {
  AddDomainBody,
  DomainName,
  EnvKey,
  MAX_ENV_VARIABLES,
  MAX_RUNTIME_ENV_BYTES,
  PutEnvBody,
  SettingsPatch,
  envProblem,
  reachesRuntime,
} from '../../lib/project-settings/schemas.js';
import {
  claimDomain,
  deleteEnv,
  getSettings,
  listDomains,
  listEnv,
  putEnv,
  removeDomain,
  secretContext,
  updateSettings,
  type EnvItem,
} from '../../lib/project-settings/store.js';
import { envView } from './view.js';
import type { ProjectRecord } from '../records.js';
import { assertWithinLimit } from '../subscriptions/enforce.js';

/**
 * Project settings, environment variables and secrets, custom domains. Changes are read by the
 * next deployment (its *Prepare build* step snapshots them); a running or live one keeps its own.
 */
export const settingsRoutes = new Hono<ApiEnv>();

/** The project, refused while it is being deleted (its items are about to go). */
function writableProject(c: Context<ApiEnv>): ProjectRecord {
  const project = accessedProject(c);
  if (project.status === 'DELETING') throw new ApiError('Conflict', `project ${project.name} is being deleted`, 'path.name');
  return project;
}

settingsRoutes.get('/:name/settings', async (c) => {
  const name = parse(ProjectName, c.req.param('name'), 'path');
  return c.json({ project: name, settings: await getSettings(name) });
});

settingsRoutes.patch('/:name/settings', async (c) => {
  const name = parse(ProjectName, c.req.param('name'), 'path');
  const patch = await jsonBody(c, SettingsPatch);
  if (Object.keys(patch).length === 0) {
    throw new ApiError(
      'BadRequest',
      'body is invalid: set at least one of buildCommand, installCommand, rootDirectory, nodeVersion',
      'body',
    );
  }
  writableProject(c);
  return c.json({ project: name, settings: await updateSettings(name, patch, c.get('caller').user) });
});

// ---- environment variables ----

settingsRoutes.get('/:name/env', async (c) => {
  const name = parse(ProjectName, c.req.param('name'), 'path');
  return c.json({ project: name, variables: (await listEnv(name)).map(envView) });
});

const runtimeBytes = (items: { key: string; bytes: number }[]) =>
  items.reduce((sum, item) => sum + Buffer.byteLength(item.key) + item.bytes, 0);

settingsRoutes.put('/:name/env/:key', async (c) => {
  const name = parse(ProjectName, c.req.param('name'), 'path');
  const key = parse(v.object({ key: EnvKey }), { key: c.req.param('key') }, 'path').key;
  const body = await jsonBody(c, PutEnvBody);
  const problem = envProblem(key, body.value);
  if (problem) throw new ApiError('BadRequest', problem.message, problem.field);
  writableProject(c);
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
        bytes: item.secret ? Math.floor(((item.sealed?.split('.')[3] ?? '').length * 3) / 4) : Buffer.byteLength(item.value ?? ''),
      }));
    const total = runtimeBytes([...sizes, { key, bytes: Buffer.byteLength(body.value) }]);
    if (total > MAX_RUNTIME_ENV_BYTES) {
      throw new ApiError(
        'BadRequest',
        `body.value is invalid: the runtime variables would take ${total} bytes, over the limit of ${MAX_RUNTIME_ENV_BYTES} bytes for a function's environment`,
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
});

settingsRoutes.delete('/:name/env/:key', async (c) => {
  const name = parse(ProjectName, c.req.param('name'), 'path');
  const key = parse(v.object({ key: EnvKey }), { key: c.req.param('key') }, 'path').key;
  writableProject(c);
  if (!(await deleteEnv(name, key))) throw new ApiError('NotFound', `project ${name} has no environment variable ${key}`, 'path.key');
  return c.json({ project: name, deleted: key });
});

// ---- custom domains ----

settingsRoutes.get('/:name/domains', async (c) => {
  const name = parse(ProjectName, c.req.param('name'), 'path');
  return c.json({ project: name, domains: await listDomains(name) });
});

settingsRoutes.post('/:name/domains', async (c) => {
  const name = parse(ProjectName, c.req.param('name'), 'path');
  const { domain } = await jsonBody(c, AddDomainBody);
  if (domain === 'localhost' || domain.endsWith('.localhost')) {
    throw new ApiError('BadRequest', "body.domain is invalid: .localhost names are the platform's own", 'body.domain');
  }
  const project = writableProject(c);
  const current = await listDomains(name);
  if (current.some((d) => d.domain === domain))
    throw new ApiError('Conflict', `project ${name} already has the domain ${domain}`, 'body.domain');
  // The owner's subscription bounds the project's domains, whoever adds one.
  await assertWithinLimit(project.owner, 'customDomainsPerProject', current.length);
  const item = { domain, project: name, createdAt: new Date().toISOString(), createdBy: c.get('caller').user };
  const claimed = await claimDomain(item);
  if (!claimed.ok)
    throw new ApiError(
      'Conflict',
      `domain ${domain} is already used by ${claimed.heldBy === name ? 'this project' : 'another project'}`,
      'body.domain',
    );
  return c.json({ project: name, domain: item }, 201);
});

settingsRoutes.delete('/:name/domains/:domain', async (c) => {
  const name = parse(ProjectName, c.req.param('name'), 'path');
  const domain = parse(v.object({ domain: DomainName }), { domain: c.req.param('domain') }, 'path').domain;
  writableProject(c);
  if (!(await removeDomain(name, domain))) throw new ApiError('NotFound', `project ${name} has no domain ${domain}`, 'path.domain');
  return c.json({ project: name, deleted: domain });
});
