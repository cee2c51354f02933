/** An unexpected error: the user sees SvelteKit's 500 page, never the message. */
export function load() {
  throw new Error('a secret detail of the crash');
}
