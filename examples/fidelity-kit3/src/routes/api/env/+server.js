import { json } from '@sveltejs/kit';
import { BUILD_CHANNEL, GREETING, PAGE_SIZE } from '$app/env/private';
import { SITE_NAME } from '$app/env/public';

export function GET() {
  return json({ GREETING, SITE_NAME, BUILD_CHANNEL, PAGE_SIZE, type: typeof PAGE_SIZE });
}
