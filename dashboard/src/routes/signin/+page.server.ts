import { fail, redirect } from '@sveltejs/kit';
import { errorMessage } from '$lib/api/client';
import type { Actions } from './$types';

/** Where a sign-in may send the browser afterwards: a path on this origin only. */
function safeNext(next: FormDataEntryValue | null): string {
  return typeof next === 'string' && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

export const actions: Actions = {
  /**
   * A form post (works without JavaScript): the API checks the token and answers with the session
   * cookie, which SvelteKit's fetch passes on to the browser. The token itself is never stored.
   */
  token: async ({ request, fetch, url }) => {
    const form = await request.formData();
    const token = form.get('token');
    if (typeof token !== 'string' || token.trim() === '') return fail(400, { message: 'enter an API token' });
    const response = await fetch(`${url.origin}/api/v1/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: url.origin },
      body: JSON.stringify({ token: token.trim() }),
    });
    if (!response.ok)
      return fail(response.status, { message: errorMessage(await response.json().catch(() => undefined), 'sign-in failed') });
    redirect(303, safeNext(form.get('next')));
  },
};
