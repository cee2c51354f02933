import { json } from '@sveltejs/kit';
import { GREETING } from '#lib/greeting';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = ({ url }) => {
  return json({ message: GREETING, query: url.searchParams.get('name') }, { headers: { 'x-hello': '1' } });
};

export const POST: RequestHandler = async ({ request }) => {
  const body = new Uint8Array(await request.arrayBuffer());
  let sum = 0;
  for (const byte of body) sum = (sum + byte) % 65536;
  return json({ length: body.byteLength, contentType: request.headers.get('content-type'), checksum: sum });
};
