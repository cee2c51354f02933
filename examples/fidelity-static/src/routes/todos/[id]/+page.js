// Rendered in the browser: a static host answers /todos/* with the fallback page.
export const prerender = false;
export const ssr = false;

export function load({ params }) {
  return { id: params.id };
}
