import { readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { ROOT } from '../../support/platform-process.js';

/** One dashboard page as its route folder declares it: `/projects/[name]/deployments/[id]`. */
export interface DashboardRoute {
  /** The route id, as SvelteKit names it (groups left out, matchers kept out of the parameter names). */
  id: string;
  segments: RouteSegment[];
}

export type RouteSegment =
  | { kind: 'static'; value: string }
  | { kind: 'param'; name: string; optional: boolean; rest: boolean; raw: string };

export const ROUTES_DIR = join(ROOT, 'dashboard', 'src', 'routes');

/** Every folder under `dashboard/src/routes` with a `+page.svelte`: the dashboard's pages, found, not listed. */
export function dashboardRoutes(dir = ROUTES_DIR): DashboardRoute[] {
  const found: DashboardRoute[] = [];
  const walk = (folder: string) => {
    const entries = readdirSync(folder, { withFileTypes: true });
    if (entries.some((entry) => entry.isFile() && entry.name === '+page.svelte')) found.push(routeOf(relative(dir, folder)));
    for (const entry of entries) if (entry.isDirectory()) walk(join(folder, entry.name));
  };
  walk(dir);
  return found.sort((a, b) => a.id.localeCompare(b.id));
}

function routeOf(folder: string): DashboardRoute {
  const segments: RouteSegment[] = [];
  for (const part of folder.split(sep).filter(Boolean)) {
    // A layout group `(name)` adds nothing to the URL.
    if (/^\(.*\)$/.test(part)) continue;
    const param = /^\[(\[)?(\.\.\.)?([^=\]]+)(?:=[^\]]+)?\]?\]$/.exec(part);
    if (param) segments.push({ kind: 'param', name: param[3] as string, optional: Boolean(param[1]), rest: Boolean(param[2]), raw: part });
    else segments.push({ kind: 'static', value: part });
  }
  const id = `/${segments.map((s) => (s.kind === 'static' ? s.value : s.raw)).join('/')}`;
  return { id, segments };
}

/**
 * A route parameter's value, chosen by the static segment before it and its name
 * (`projects/[name]`, `deployments/[id]`); undefined when nothing is known for it.
 */
export type ParamValues = (before: string | undefined, param: string) => string | undefined;

/** The route's URL path with every parameter filled; throws naming each one it cannot fill, so no page is skipped. */
export function pathOf(route: DashboardRoute, values: ParamValues): string {
  const parts: string[] = [];
  const unfilled: string[] = [];
  let before: string | undefined;
  for (const segment of route.segments) {
    if (segment.kind === 'static') {
      parts.push(segment.value);
      before = segment.value;
      continue;
    }
    const value = values(before, segment.name);
    if (value !== undefined) parts.push(encodeURIComponent(value));
    // An optional parameter left out is a valid URL of the page.
    else if (!segment.optional) unfilled.push(`${before ?? ''}/${segment.raw}`);
    before = undefined;
  }
  if (unfilled.length > 0)
    throw new Error(
      `dashboard route ${route.id}: no value for ${unfilled.join(', ')}; teach test/dashboard/browser/every-page.test.ts (paramValues) what to fill it with`,
    );
  return `/${parts.join('/')}`;
}
