// The dashboard is built with Slipway's own adapter (dist/buildrunner/adapter, written by `npm run build`),
// into the bundle layout every tenant deployment has; `infra/dashboard/build.ts` sets where it goes.
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';
import adapter from '../dist/buildrunner/adapter/index.js';

/** @type {import('@sveltejs/kit').Config} */
const config = {
  preprocess: vitePreprocess(),
  kit: {
    adapter: adapter(),
    // The platform serves the API under /api on the same origin; nothing of the dashboard lives there.
    csp: { mode: 'auto', directives: { 'default-src': ['self'], 'img-src': ['self', 'data:'], 'style-src': ['self', 'unsafe-inline'] } },
  },
};

export default config;
