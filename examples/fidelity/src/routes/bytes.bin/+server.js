/** A binary body: every byte value, over and over (256 KB), none of it valid text. */
export function GET() {
  const bytes = new Uint8Array(256 * 1024);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7 + (i >> 8)) & 0xff;
  return new Response(bytes, { headers: { 'content-type': 'application/octet-stream' } });
}
