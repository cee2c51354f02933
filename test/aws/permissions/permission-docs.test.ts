import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { awsPermissionsMarkdown } from '../../../infra/aws/permissions/permission-docs.js';

describe('docs/AWS-PERMISSIONS.md', () => {
  it('is the permission tables as rendered now (npm run docs:aws-permissions rewrites it)', () => {
    const written = readFileSync(new URL('../../../docs/AWS-PERMISSIONS.md', import.meta.url), 'utf8');
    expect(written).toBe(awsPermissionsMarkdown());
    expect(written).toContain('`AWS::Lambda::Function`');
    expect(written).toContain('`batch:TerminateJob` (batch-job)');
  });
});
