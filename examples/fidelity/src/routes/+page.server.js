export function load({ url }) {
  return { path: url.pathname };
}
