import { error } from '@sveltejs/kit';

/** An expected error: its status and message reach the error page. */
export function load() {
  error(418, 'short and stout');
}
