import adapter from '@sveltejs/adapter-node';
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

export default defineConfig({
  // A fixed version: two builds of the same source must write the same version.json.
  plugins: [sveltekit({ adapter: adapter(), version: { name: 'fidelity-kit3-1' } })],
});
