import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../package-root.js';
import { awsPermissionsMarkdown } from './permission-docs.js';

// `npm run docs:aws-permissions`: rewrites docs/AWS-PERMISSIONS.md from the permission tables.
const file = join(packageRoot(), 'docs', 'AWS-PERMISSIONS.md');
writeFileSync(file, awsPermissionsMarkdown());
console.log(`wrote ${file}`);
