import ignore from 'ignore';

/**
 * What never ships as a deployment's source, however it arrives (the CLI's packer, a GitHub
 * commit's tarball), as gitignore patterns. Dependencies are installed by the build, its output is
 * produced by it, and `.slipway/` is the CLI's own state (it can hold a token). `.env*` files hold
 * local secrets; Vercel's CLI leaves out only `.env.local`/`.env.*.local` and uploads a plain
 * `.env`, but on Slipway a project's values are its variables (secrets sealed), so no `.env*` file
 * is shipped, even a committed one, except the templates meant to be committed, which hold no
 * values and which some tools read at build time to check the variables a project must set.
 */
export const ALWAYS_LEFT_OUT = [
  '.git',
  'node_modules/',
  '.svelte-kit/',
  '.slipway/',
  '.DS_Store',
  '.env*',
  '!.env.example',
  '!.env.sample',
  '!.env.template',
];

/** A matcher of ALWAYS_LEFT_OUT (gitignore rules: a pattern without a slash matches at any depth). */
export function alwaysLeftOut(): ReturnType<typeof ignore> {
  return ignore().add(ALWAYS_LEFT_OUT);
}
