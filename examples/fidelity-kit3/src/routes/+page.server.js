import { GREETING, PAGE_SIZE } from '$app/env/private';

export function load() {
  return { greeting: GREETING, pageSize: PAGE_SIZE };
}
