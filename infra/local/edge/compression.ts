import { promisify } from 'node:util';
import { brotliCompress, constants as zlibConstants, gzip } from 'node:zlib';

/**
 * Compression as the edge serves it (CloudFront's `compress: true`, sirv over adapter-node's
 * precompressed files): the tenant edge and the local dashboard app both answer with it.
 */

/** CloudFront compresses files up to 10 MB; larger ones go out as stored there and here. */
export const MAX_COMPRESSED_BYTES = 10_000_000;

/** The files SvelteKit's `builder.compress` precompresses for adapter-node, by extension. */
const COMPRESSIBLE = /\.(html|js|mjs|json|css|svg|xml|wasm|txt|md|mdx)$/i;

/** sirv's choice among the precompressed files: brotli when accepted, else gzip, else none. */
export function compressionFor(accept: string | undefined, key: string): 'br' | 'gzip' | undefined {
  if (!accept || !COMPRESSIBLE.test(key)) return undefined;
  if (/(br|brotli)/i.test(accept)) return 'br';
  return accept.includes('gzip') ? 'gzip' : undefined;
}

const brotli = promisify(brotliCompress);
const gzipped = promisify(gzip);

/** Brotli at a middle quality: per request, near the best ratio at a fraction of quality 11's time. */
export function compress(data: Buffer, encoding: 'br' | 'gzip'): Promise<Buffer> {
  if (encoding === 'gzip') return gzipped(data);
  return brotli(data, {
    params: {
      [zlibConstants.BROTLI_PARAM_MODE]: zlibConstants.BROTLI_MODE_TEXT,
      [zlibConstants.BROTLI_PARAM_QUALITY]: 5,
      [zlibConstants.BROTLI_PARAM_SIZE_HINT]: data.length,
    },
  });
}

/**
 * The compressed forms of a body a cache holds (the edge's object cache, the dashboard's files): it
 * hands out the same Buffer on every request, so each file is compressed once per encoding, and its
 * forms go when the cache drops it.
 */
const compressedBodies = new WeakMap<Buffer, Map<'br' | 'gzip', Promise<Buffer>>>();

export function compressCached(body: Buffer, encoding: 'br' | 'gzip'): Promise<Buffer> {
  let forms = compressedBodies.get(body);
  if (!forms) compressedBodies.set(body, (forms = new Map()));
  let form = forms.get(encoding);
  if (!form) {
    form = compress(body, encoding);
    forms.set(encoding, form);
    // A failed compression is tried again by the next request, not remembered.
    form.catch(() => forms.delete(encoding));
  }
  return form;
}
