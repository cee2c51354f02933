import type { Platform, PlatformNames } from '../../../handlers/lib/bindings/types.js';
import { GITHUB_COM } from '../../../handlers/lib/bindings/types.js';
import { parseClientAddressDepth } from '../../../router/client-address.js';
import { parseRouteCacheProjects } from '../../../handlers/pipeline/bundle/aws-preflight.js';
import { parseStage } from '../../../handlers/lib/stage.js';
import { parseBuildTimeoutSeconds } from '../shared/timeouts.js';

type Settings = Pick<Platform, 'github'> &
  Partial<
    Pick<
      Platform,
      | 'names'
      | 'stage'
      | 'buildTimeoutCap'
      | 'tenantUrlTemplate'
      | 'customDomainTarget'
      | 'publicUrl'
      | 'originSecret'
      | 'clientAddressDepth'
      | 'routeCacheProjects'
    >
  >;

const withoutSlash = (url: string) => url.replace(/\/+$/, '');

function names(env: NodeJS.ProcessEnv): PlatformNames | undefined {
  const { SLIPWAY_SOURCE_BUCKET, SLIPWAY_BUILD_BUCKET, SLIPWAY_PROJECT_BUCKET, SLIPWAY_TABLE } = env;
  if (!SLIPWAY_SOURCE_BUCKET || !SLIPWAY_BUILD_BUCKET || !SLIPWAY_PROJECT_BUCKET || !SLIPWAY_TABLE) return undefined;
  return {
    sourceBucket: SLIPWAY_SOURCE_BUCKET,
    buildBucket: SLIPWAY_BUILD_BUCKET,
    projectBucket: SLIPWAY_PROJECT_BUCKET,
    table: SLIPWAY_TABLE,
  };
}

/**
 * The plain settings of an AWS Lambda's platform, from the environment CDK gives the function (a
 * function that was given no storage names has none bound, and fails naming them if it asks).
 */
export function awsPlatformSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  // Every key is present, unset ones as undefined, so binding these replaces what was bound before.
  return {
    names: names(env),
    stage: parseStage(env.SLIPWAY_STAGE, 'SLIPWAY_STAGE'),
    buildTimeoutCap: parseBuildTimeoutSeconds(env.SLIPWAY_BUILD_TIMEOUT_CAP, 'SLIPWAY_BUILD_TIMEOUT_CAP'),
    tenantUrlTemplate: env.SLIPWAY_TENANT_URL_TEMPLATE || undefined,
    customDomainTarget: env.SLIPWAY_CUSTOM_DOMAIN_TARGET || undefined,
    publicUrl: env.SLIPWAY_PUBLIC_URL || undefined,
    originSecret: env.SLIPWAY_ORIGIN_SECRET || undefined,
    clientAddressDepth: parseClientAddressDepth(env.SLIPWAY_CLIENT_ADDRESS_DEPTH, 'SLIPWAY_CLIENT_ADDRESS_DEPTH'),
    routeCacheProjects: parseRouteCacheProjects(env.SLIPWAY_ROUTE_CACHE_PROJECTS, 'SLIPWAY_ROUTE_CACHE_PROJECTS'),
    github: {
      apiUrl: withoutSlash(env.SLIPWAY_GITHUB_API_URL ?? GITHUB_COM.apiUrl),
      webUrl: withoutSlash(env.SLIPWAY_GITHUB_WEB_URL ?? GITHUB_COM.webUrl),
    },
  };
}
