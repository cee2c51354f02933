import { redirect } from '@sveltejs/kit';
import { base } from '$app/paths';

/** A moved page: a permanent redirect from a server load. */
export function load() {
  redirect(308, `${base}/about`);
}
