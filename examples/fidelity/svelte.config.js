import adapter from '@sveltejs/adapter-node';

/** @type {import('@sveltejs/kit').Config} */
const config = {
  kit: {
    adapter: adapter(),
    // Everything answers under a base path, the way an app behind a shared host is set up.
    paths: { base: '/base' },
    // A fixed version: two builds of the same source must write the same version.json.
    version: { name: 'fidelity-1' },
  },
};

export default config;
