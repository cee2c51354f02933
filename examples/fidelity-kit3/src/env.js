import { defineEnvVars } from '@sveltejs/kit/env';

/**
 * SvelteKit 3's declared environment: a private and a public variable read when the app starts,
 * one inlined at build time, and one whose schema turns it into a number (absent: a default).
 */
export const variables = defineEnvVars({
  GREETING: { description: 'Server-only greeting' },
  SITE_NAME: { public: true },
  BUILD_CHANNEL: { static: true },
  PAGE_SIZE: {
    schema: (value) => {
      if (value === undefined) return 20;
      const size = Number(value);
      if (!Number.isInteger(size)) throw new Error('PAGE_SIZE must be an integer');
      return size;
    },
  },
});
