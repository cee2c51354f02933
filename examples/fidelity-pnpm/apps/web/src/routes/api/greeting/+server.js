import { json } from '@sveltejs/kit';
import { greet } from '@fidelity/greeting';

export function GET({ url }) {
  return json({ greeting: greet(url.searchParams.get('name') ?? 'visitor') });
}
