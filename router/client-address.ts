import { isIP } from 'node:net';
import * as v from 'valibot';
import { parseSetting } from '../handlers/lib/setting.js';

/** The header CloudFront adds with the viewer's `ip:port` (its origin request policy forwards it). */
export const VIEWER_ADDRESS_HEADER = 'cloudfront-viewer-address';
/**
 * The tag the viewer-request function sets to `event.viewer.ip` (after deleting any `x-slipway-*`
 * header the viewer sent): the address CloudFront saw, whether or not the managed origin request
 * policy forwards CloudFront-Viewer-Address.
 */
export const VIEWER_TAG_HEADER = 'x-slipway-viewer';

/** Bounds of the X-Forwarded-For depth: 1 is the address CloudFront saw; each proxy in front of CloudFront adds one. */
export const CLIENT_ADDRESS_DEPTH = { min: 1, max: 10 } as const;

/**
 * The IP of `ip:port` as CloudFront writes it (an IPv6 address without brackets, the port after the
 * last colon); undefined for anything that is not an address and a port.
 */
export function viewerIp(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const colon = value.lastIndexOf(':');
  if (colon <= 0 || !/^\d{1,5}$/.test(value.slice(colon + 1))) return undefined;
  const ip = value.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  return isIP(ip) ? unmapped(ip) : undefined;
}

const unmapped = (ip: string) => (ip.toLowerCase().startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip);

/**
 * The visitor's address, as adapter-node's `XFF_DEPTH` would give it with CloudFront counted as the
 * first proxy. Depth 1: the address CloudFront saw (the viewer function's tag, else `CloudFront-Viewer-Address`; without either, `seen`,
 * the address that reached the router). Depth N: the address the (N-1)th trusted proxy in front of
 * CloudFront saw, read from X-Forwarded-For as CloudFront passes it on (the viewer's header with the
 * address it saw appended). A request with fewer hops than the depth did not come through those
 * proxies: it gets the address CloudFront saw, never an entry the visitor wrote.
 */
export function clientAddress(headers: Readonly<Record<string, string | undefined>>, seen: string, depth: number): string {
  const tagged = headers[VIEWER_TAG_HEADER];
  const viewer = (tagged && isIP(tagged) ? unmapped(tagged) : undefined) ?? viewerIp(headers[VIEWER_ADDRESS_HEADER]) ?? seen;
  if (depth <= 1) return viewer;
  const forwarded = (headers['x-forwarded-for'] ?? '')
    .split(',')
    .map((entry) => unmapped(entry.trim()))
    .filter((entry) => entry.length > 0);
  // Only the entries up to the one CloudFront appended: anything after it was added behind CloudFront.
  const last = forwarded.lastIndexOf(viewer);
  const hops = last >= 0 ? forwarded.slice(0, last + 1) : [...forwarded, viewer];
  const address = hops[hops.length - depth];
  return address !== undefined && isIP(address) ? address : viewer;
}

const DepthSetting = v.pipe(
  v.string(),
  v.regex(/^\d+$/, 'must be a whole number'),
  v.transform(Number),
  v.minValue(CLIENT_ADDRESS_DEPTH.min),
  v.maxValue(CLIENT_ADDRESS_DEPTH.max),
);

/** The depth from a setting's text (unset: undefined); a bad value throws naming `field` and the bounds. */
export function parseClientAddressDepth(value: string | undefined, field: string): number | undefined {
  return parseSetting(DepthSetting, value, field, `must be a whole number from ${CLIENT_ADDRESS_DEPTH.min} to ${CLIENT_ADDRESS_DEPTH.max}`);
}
