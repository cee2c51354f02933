// The visitor's address as the app sees it: adapter-node's socket address, Slipway's viewer address.
export function GET({ getClientAddress }) {
  return new Response(getClientAddress(), { headers: { 'content-type': 'text/plain' } });
}
