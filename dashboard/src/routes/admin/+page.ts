import { error } from '@sveltejs/kit';
import type { PageLoad } from './$types';
import { can, SECTIONS } from './access';

export const load: PageLoad = async ({ parent }) => {
  const { me } = await parent();
  const sections = SECTIONS.filter((section) => can(me, section.permission));
  if (sections.length === 0) error(404, 'Not found');
  return { sections };
};
