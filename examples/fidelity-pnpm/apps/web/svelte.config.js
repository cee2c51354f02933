import adapter from '@sveltejs/adapter-node';

/** @type {import('@sveltejs/kit').Config} */
const config = {
  kit: {
    adapter: adapter(),
    // A fixed version: two builds of the same source must write the same version.json.
    version: { name: 'fidelity-pnpm-1' },
  },
};

export default config;
