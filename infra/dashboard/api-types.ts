import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';
import { openApiDocument } from '../../handlers/api/routes/index.js';
import { packageRoot } from '../package-root.js';

/**
 * The dashboard's typed API client is generated from the same OpenAPI document the API serves
 * (`GET /api/v1/openapi.json`), so the dashboard can only call what a script could call, with the
 * same shapes. Committed, and checked against the routes by test/dashboard/api-types.test.ts.
 */
export const API_TYPES_FILE = 'dashboard/src/lib/api/schema.d.ts';

const HEADER = "// Generated from the API's OpenAPI document by `npm run dashboard:api-types`; do not edit.\n";

export async function apiTypesSource(): Promise<string> {
  const ast = await openapiTS(openApiDocument() as unknown as Parameters<typeof openapiTS>[0]);
  return `${HEADER}${astToString(ast)}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const target = join(packageRoot(), API_TYPES_FILE);
  writeFileSync(target, await apiTypesSource());
  console.log(`wrote ${API_TYPES_FILE}`);
}
