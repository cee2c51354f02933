import { redirect } from '@sveltejs/kit';

/** A redirect from an endpoint to another site, with the query it was given. */
export function GET({ url }) {
  redirect(307, `https://example.com/landing${url.search}`);
}
