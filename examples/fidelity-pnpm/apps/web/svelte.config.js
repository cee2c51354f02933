import adapter from '@sveltejs/adapter-node';

/** @type {import('@sveltejs/kit').Config} */
const config = {
  kit: {
    adapter: adapter(),
    // Build assets and static files named on another origin (a CDN in front of the site): the
    // pages carry that URL; the server still answers every file under its own.
    paths: { assets: 'https://assets.example' },
    // A fixed version: two builds of the same source must write the same version.json.
    version: { name: 'fidelity-pnpm-1' },
  },
};

export default config;
