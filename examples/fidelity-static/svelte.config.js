import adapter from '@sveltejs/adapter-static';

/** @type {import('@sveltejs/kit').Config} */
const config = {
  kit: {
    // Unknown routes get the SPA shell with status 200 (a static host's 200.html convention).
    adapter: adapter({ fallback: '200.html', precompress: true }),
    version: { name: 'fidelity-static-1' },
  },
};

export default config;
