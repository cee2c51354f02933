import { fail, redirect } from '@sveltejs/kit';
import type { Actions } from './$types';

export const actions: Actions = {
  default: async ({ request, cookies, url }) => {
    const form = await request.formData();
    const name = String(form.get('name') ?? '').trim();
    if (!name) return fail(400, { missing: true });

    // SvelteKit defaults `secure` to true except on exactly `localhost`; tenant hosts such as
    // `hello.localhost:8080` are plain http, so derive it from the request protocol.
    const secure = url.protocol === 'https:';
    cookies.set('visitor', name, { path: '/', httpOnly: true, sameSite: 'lax', secure });
    cookies.set('session-started', new Date().toISOString(), { path: '/', httpOnly: true, sameSite: 'lax', secure });
    redirect(303, '/');
  },
};
