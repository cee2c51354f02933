import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../../infra/package-root.js';
import { permissionTableMarkdown } from './permission-table.js';

// `npm run docs:permissions`: rewrites docs/PERMISSIONS.md from the route and role tables.
const file = join(packageRoot(), 'docs', 'PERMISSIONS.md');
writeFileSync(file, permissionTableMarkdown());
console.log(`wrote ${file}`);
