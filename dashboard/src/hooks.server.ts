import type { Handle } from '@sveltejs/kit';

/** openapi-fetch reads these of every API answer, in the browser too, so SvelteKit must serialize them. */
const READ_BY_THE_CLIENT = new Set(['content-length', 'content-type']);

export const handle: Handle = ({ event, resolve }) =>
  resolve(event, { filterSerializedResponseHeaders: (name) => READ_BY_THE_CLIENT.has(name) });
