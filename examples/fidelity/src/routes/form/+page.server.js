import { fail } from '@sveltejs/kit';

/** A form action: a valid name sets a cookie and answers the page with the result; an empty one fails with 400. */
export const actions = {
  default: async ({ request, cookies }) => {
    const name = String((await request.formData()).get('name') ?? '');
    if (!name) return fail(400, { missing: true });
    cookies.set('greeted', name, { path: '/base', httpOnly: true, sameSite: 'lax', secure: false });
    return { greeted: name };
  },
};
