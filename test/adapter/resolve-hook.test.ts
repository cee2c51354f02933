import { describe, expect, it } from 'vitest';
import { ADAPTER_URL, isAdapterSpecifier, resolve } from '../../buildrunner/adapter/resolve-hook.js';

describe('isAdapterSpecifier', () => {
  it.each([
    '@sveltejs/adapter-auto',
    '@sveltejs/adapter-node',
    '@sveltejs/adapter-static',
    '@sveltejs/adapter-vercel',
    '@sveltejs/adapter-netlify',
    '@sveltejs/adapter-cloudflare',
    'svelte-adapter-bun',
    'svelte-adapter-deno',
    '@someone/svelte-adapter-lambda',
    'sveltekit-adapter-aws',
    'file:///app/node_modules/@sveltejs/adapter-auto/index.js',
    'file:///app/node_modules/svelte-adapter-bun/index.js',
    '/app/node_modules/@sveltejs/adapter-node/index.js',
  ])('swaps %s', (specifier) => {
    expect(isAdapterSpecifier(specifier)).toBe(true);
  });

  it.each([
    '@sveltejs/kit',
    '@sveltejs/kit/vite',
    '@sveltejs/vite-plugin-svelte',
    '@sveltejs/adapter-node/files/handler.js',
    'svelte',
    'vite',
    './adapter-auto.js',
    'file:///app/src/adapter-auto.js',
    'file:///app/node_modules/@sveltejs/kit/src/exports/index.js',
  ])('leaves %s alone', (specifier) => {
    expect(isAdapterSpecifier(specifier)).toBe(false);
  });
});

describe('resolve hook', () => {
  it('short-circuits adapters to the Slipway adapter and defers the rest', async () => {
    const deferred: string[] = [];
    const next = async (specifier: string) => {
      deferred.push(specifier);
      return { url: `file:///resolved/${specifier}` };
    };
    const context = { conditions: ['node', 'import'], parentURL: 'file:///app/svelte.config.js' };
    expect(await resolve('@sveltejs/adapter-auto', context, next)).toMatchObject({ url: ADAPTER_URL, shortCircuit: true });
    expect(ADAPTER_URL).toMatch(/\/buildrunner\/adapter\/index\.js$/);
    expect(await resolve('@sveltejs/kit', context, next)).toEqual({ url: 'file:///resolved/@sveltejs/kit' });
    expect(deferred).toEqual(['@sveltejs/kit']);
  });
});
