import cf from 'cloudfront';

// Slipway viewer-request function (CloudFront Functions, runtime cloudfront-js-2.0).
// The same file runs on AWS and, unchanged, in the local edge's sandbox (router/cloudfront/sandbox.ts).
//
// Route cache (the KeyValueStore associated with this function; see docs/ARCHITECTURE.md):
//   p:{project}             -> live deployment id
//   r:{deploymentId}:{path} -> file under the deployment prefix, e.g. prerendered/about.html
//
// Outcomes:
//   - a 404 response when the host names no valid or no live project;
//   - static: request.uri rewritten to /{project}/deployments/{id}/{file} (the project bucket,
//     which is the distribution's default origin);
//   - dynamic: uri untouched, tagged with x-slipway-project / -deployment / -host / -origin,
//     and sent to the router origin.

// With no argument, cf.kvs() is the one KeyValueStore associated with this function.
const kvs = cf.kvs();

const PROJECT = /^[a-z][a-z0-9-]{1,38}[a-z0-9]$/;
const APP_DIR = '/_app/';
const DOT_SEGMENT = /(^|\/)(\.|%2e){1,2}(\/|$)/i;
// Under the app dir these are produced by the SvelteKit server, not by the build.
const APP_DYNAMIC = ['/_app/remote/', '/_app/env.js'];

// The router origin on AWS. The distribution defines it with origin id ROUTER_ORIGIN_ID and the
// origin secret as a custom header; the infra replaces ROUTER_DOMAIN with the router's function
// URL host when it publishes this code. selectRequestOriginById keeps the configured origin's
// custom headers, so it is preferred; updateRequestOrigin is the fallback. Both calls are
// guarded: the local sandbox supplies them (and only records the choice).
const ROUTER_ORIGIN_ID = 'router';
const ROUTER_DOMAIN = '__SLIPWAY_ROUTER_DOMAIN__';

function useRouterOrigin() {
  if (typeof cf.selectRequestOriginById === 'function') {
    cf.selectRequestOriginById(ROUTER_ORIGIN_ID);
  } else if (typeof cf.updateRequestOrigin === 'function') {
    cf.updateRequestOrigin({
      domainName: ROUTER_DOMAIN,
      originAccessControlConfig: { enabled: false },
      customOriginConfig: { port: 443, protocol: 'https', sslProtocols: ['TLSv1.2'] },
    });
  }
}

// kvs.get rejects when the key is missing (and for keys over the size limit): both mean "no entry".
async function lookup(key) {
  try {
    return await kvs.get(key);
  } catch (e) {
    return undefined;
  }
}

// "hello.localhost:8080" -> "hello"; "hello.apps.example.com" -> "hello"; otherwise undefined.
function projectOf(host) {
  var name = host.toLowerCase();
  var colon = name.lastIndexOf(':');
  if (colon !== -1 && name.indexOf(']') === -1) name = name.slice(0, colon);
  var labels = name.split('.');
  if (labels.length < 2 || labels[1] === '') return undefined;
  return PROJECT.test(labels[0]) ? labels[0] : undefined;
}

function notFound(message) {
  return {
    statusCode: 404,
    statusDescription: 'Not Found',
    headers: {
      'content-type': { value: 'text/html; charset=utf-8' },
      'cache-control': { value: 'no-store' },
    },
    body: {
      encoding: 'text',
      data: '<!doctype html><title>404 Not Found</title><h1>404 Not Found</h1><p>' + message + '</p>',
    },
  };
}

function isAppDynamic(uri) {
  for (var i = 0; i < APP_DYNAMIC.length; i++) {
    if (uri.indexOf(APP_DYNAMIC[i]) === 0) return true;
  }
  return false;
}

async function staticFile(id, uri) {
  var file = await lookup('r:' + id + ':' + uri);
  if (file) return file;
  if (uri.length > 1 && uri.charAt(uri.length - 1) === '/') {
    file = await lookup('r:' + id + ':' + uri.slice(0, -1));
    if (file) return file;
  }
  if (uri.indexOf('%') !== -1) {
    var decoded;
    try {
      decoded = decodeURIComponent(uri);
    } catch (e) {
      return undefined;
    }
    if (decoded !== uri) return staticFile(id, decoded);
  }
  return undefined;
}

async function handler(event) {
  var request = event.request;
  var headers = request.headers;
  var host = headers.host ? headers.host.value : '';

  // Clients must not forge the tags the router trusts.
  for (var name in headers) {
    if (name.indexOf('x-slipway-') === 0) delete headers[name];
  }

  var project = projectOf(host);
  if (!project) return notFound('No project is served at this host.');

  var id = await lookup('p:' + project);
  if (!id) return notFound('There is no project named ' + project + '.');

  var prefix = '/' + project + '/deployments/' + id + '/';
  var uri = request.uri;

  if (uri.indexOf(APP_DIR) === 0 && !isAppDynamic(uri)) {
    // Never let "." / ".." segments reach the bucket key (raw or percent-encoded).
    if (DOT_SEGMENT.test(uri)) return notFound('No such file.');
    request.uri = prefix + 'client' + uri;
    return request;
  }

  if (request.method === 'GET' || request.method === 'HEAD') {
    var file = await staticFile(id, uri);
    if (file) {
      request.uri = prefix + file;
      return request;
    }
  }

  headers['x-slipway-project'] = { value: project };
  headers['x-slipway-deployment'] = { value: id };
  headers['x-slipway-host'] = { value: host };
  headers['x-slipway-origin'] = { value: 'router' };
  useRouterOrigin();
  return request;
}
