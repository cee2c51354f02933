import { GREETING } from '#lib/greeting';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = ({ cookies }) => {
  return {
    greeting: GREETING,
    renderedAt: new Date().toISOString(),
    visitor: cookies.get('visitor') ?? null,
  };
};
