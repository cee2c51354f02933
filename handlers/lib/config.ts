/** Names of the platform's storage, read from the environment both back ends set. */
export interface PlatformNames {
  sourceBucket: string;
  buildBucket: string;
  projectBucket: string;
  table: string;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

export function platformNames(): PlatformNames {
  return {
    sourceBucket: required('SLIPWAY_SOURCE_BUCKET'),
    buildBucket: required('SLIPWAY_BUILD_BUCKET'),
    projectBucket: required('SLIPWAY_PROJECT_BUCKET'),
    table: required('SLIPWAY_TABLE'),
  };
}

export const DEFAULT_NAMES: PlatformNames = {
  sourceBucket: 'slipway-sources',
  buildBucket: 'slipway-builds',
  projectBucket: 'slipway-projects',
  table: 'slipway-platform',
};
