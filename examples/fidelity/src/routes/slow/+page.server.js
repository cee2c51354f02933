// SvelteKit streams a promise returned (not awaited) from a server load: the page's shell first,
// the resolved value in a later chunk.
export function load() {
  return {
    now: 'shell',
    later: new Promise((resolve) => setTimeout(() => resolve('resolved after 300 ms'), 300)),
  };
}
