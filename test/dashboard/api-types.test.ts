import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { API_TYPES_FILE, apiTypesSource } from '../../infra/dashboard/api-types.js';
import { ROOT } from '../support/platform-process.js';

describe("the dashboard's typed API client", () => {
  it('is generated from the OpenAPI document the API serves now (run `npm run dashboard:api-types` after changing a route)', async () => {
    expect(readFileSync(join(ROOT, API_TYPES_FILE), 'utf8')).toBe(await apiTypesSource());
  });
});
