import { json } from '@sveltejs/kit';

/** Echoes the cookies the request carried and sets two, one of them deleted. */
export function GET({ cookies }) {
  const seen = cookies.getAll();
  cookies.set('visits', String(Number(cookies.get('visits') ?? 0) + 1), { path: '/base', httpOnly: false, secure: false });
  cookies.delete('stale', { path: '/base' });
  return json({ seen });
}
