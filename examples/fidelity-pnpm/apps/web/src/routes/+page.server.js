import { greet } from '@fidelity/greeting';

export function load({ url }) {
  return { greeting: greet(url.searchParams.get('name') ?? 'visitor') };
}
