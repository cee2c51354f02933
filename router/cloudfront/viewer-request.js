import cf from 'cloudfront';

// Slipway viewer-request function (CloudFront Functions, runtime cloudfront-js-2.0), on the
// default behavior of the tenant distribution and on /_app/env.js and /_app/remote/* (which the
// SvelteKit server answers). Build assets under /_app/ have their own function, assets-request.js.
// The same file runs on AWS and, unchanged, in the local edge's sandbox (infra/local/edge/cloudfront-functions.ts).
//
// Route cache (the KeyValueStore associated with this function; see docs/ARCHITECTURE.md):
//   p:{project}             -> the live deployment id and function version, "{id}@{version}"
//   p:{project}--{alias}    -> a preview's, in the same shape
//   d:{host}                -> project of a custom domain
//   r:{deploymentId}:{path} -> file under the deployment prefix, e.g. prerendered/about.html
//
// Outcomes:
//   - a 404 response when the host names no valid or no live project;
//   - static: request.uri rewritten to /{project}/deployments/{id}/{file} (the project bucket,
//     which is the distribution's default origin), found as adapter-node finds it (fileFor);
//   - a 308 to a prerendered page's canonical path when asked with the other trailing slash;
//   - dynamic: uri untouched, tagged with x-slipway-project / -deployment / -host / -origin
//     and -qualifier (the version the pointer names), and sent to the router origin.

// With no argument, cf.kvs() is the one KeyValueStore associated with this function.
const kvs = cf.kvs();

// The tenants' parent domain: every project and preview answers at a name under it. The file says
// 'localhost' (the local edge runs it unchanged); the AWS stack puts its domainName here
// (infra/aws/projects/edge-function-source.ts), and a deployment without one serves custom domains only.
const PLATFORM_DOMAIN = 'localhost';

const PROJECT = /^(?!.*--)[a-z][a-z0-9-]{1,38}[a-z0-9]$/;
const ALIAS = /^(?!.*--)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
const DOT_SEGMENT = /(^|\/)(\.|%2e){1,2}(\/|$)/i;
// A last segment with an extension names a file: no fallback page for it.
const FILE_NAME = /\/[^/]*\.\w+$/;

// The router origin: the distribution defines it with origin id 'router', its origin access
// control and the origin secret as a custom header; selectRequestOriginById keeps all of them.
const ROUTER_ORIGIN_ID = 'router';

// kvs.get rejects when the key is missing (and for keys over the size limit): both mean "no entry".
async function lookup(key) {
  try {
    return await kvs.get(key);
  } catch (e) {
    return undefined;
  }
}

// The host without its port, lowercase.
function hostname(host) {
  var name = host.toLowerCase();
  var colon = name.lastIndexOf(':');
  if (colon !== -1 && name.indexOf(']') === -1) name = name.slice(0, colon);
  return name;
}

// The site a platform host names: "hello.localhost" -> { project: "hello", label: "hello" };
// "hello--feature-x.apps.example.com" -> { project: "hello", label: "hello--feature-x" } (a preview:
// project names never contain "--", so the first one splits the label); otherwise undefined.
function siteOf(name) {
  var labels = name.split('.');
  if (labels.length < 2 || labels[1] === '') return undefined;
  var label = labels[0];
  if (label.length > 63) return undefined;
  var split = label.indexOf('--');
  var project = split === -1 ? label : label.slice(0, split);
  if (!PROJECT.test(project)) return undefined;
  if (split !== -1 && !ALIAS.test(label.slice(split + 2))) return undefined;
  return { project: project, label: label };
}

// A platform host (a name under PLATFORM_DOMAIN) names a site by its first label, and only by it:
// no route-cache entry can take a project's or a preview's host. Any other host is a custom domain
// and names the project of its d:{host} entry (written by the release step once verified), if any.
async function siteFor(host) {
  var name = hostname(host);
  if (name.endsWith('.' + PLATFORM_DOMAIN)) return siteOf(name);
  var custom = await lookup('d:' + name);
  if (custom && PROJECT.test(custom)) return { project: custom, label: custom };
  return undefined;
}

// A pointer is "{deploymentId}@{qualifier}" (the function version the router invokes), production
// or preview; a bare "{deploymentId}" is one written before production carried a version.
function pointerOf(value) {
  var at = value.indexOf('@');
  return at === -1 ? { id: value, qualifier: '' } : { id: value.slice(0, at), qualifier: value.slice(at + 1) };
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

// The route-cache entry of a path, trying it percent-decoded too (keys hold decoded paths) with
// `decode`: { file, path } with the path it was found under, or undefined.
async function routeEntry(id, uri, decode) {
  var file = await lookup('r:' + id + ':' + uri);
  if (file) return { file: file, path: uri };
  if (uri.indexOf('%') === -1) return undefined;
  var decoded;
  try {
    decoded = decode(uri);
  } catch (e) {
    return undefined;
  }
  if (decoded === uri) return undefined;
  file = await lookup('r:' + id + ':' + decoded);
  return file ? { file: file, path: decoded } : undefined;
}

// A decoded path as a Location header carries it (adapter-node sends the decoded path itself).
function encodedPath(path) {
  return encodeURI(path).replace(/[?#]/g, encodeURIComponent);
}

// What adapter-node answers from files, in its order: the file (or its extensionless alias, see
// routeEntriesFor); a static file with one trailing slash dropped; a prerendered page asked for with
// its trailing slash toggled is a 308 to the path SvelteKit prerendered (trailingSlash decides);
// with a base path, /{base}/_app/... maps to the build assets; else adapter-static's fallback
// page. Undefined: the server answers.
async function fileFor(id, uri, method) {
  var read = method === 'GET' || method === 'HEAD';
  // Files are found as sirv finds them, decodeURI (an encoded "/" or "?" stays encoded, so names no
  // file); the trailing-slash redirect as adapter-node decides it, decodeURIComponent.
  var own = await routeEntry(id, uri, decodeURI);
  var file = own && own.file;
  if (file && file.indexOf('prerendered/') === 0) return { file: file };
  if (file && read && file.charAt(file.length - 1) !== '/') return { file: file };
  var slash = uri.charAt(uri.length - 1) === '/';
  var toggled = slash ? uri.slice(0, -1) : uri + '/';
  var found = uri.length > 1 ? await routeEntry(id, toggled, decodeURIComponent) : undefined;
  var other = found && found.file;
  if (other && other.indexOf('prerendered/') === 0) return { redirect: encodedPath(found.path) };
  // sirv drops one trailing slash: /robots.txt/ is the file, /guide// is not /guide/.
  if (
    other &&
    slash &&
    read &&
    other.charAt(other.length - 1) !== '/' &&
    toggled.charAt(toggled.length - 1) !== '/' &&
    (found.path === toggled || (await routeEntry(id, toggled, decodeURI)))
  ) {
    return { file: other };
  }
  var app = uri.indexOf('/_app/');
  if (
    app > 0 &&
    uri.length > app + 6 &&
    read &&
    uri.indexOf('/_app/env.js') !== app &&
    uri.indexOf('/_app/remote/') !== app &&
    !DOT_SEGMENT.test(uri)
  ) {
    const assets = await lookup('r:' + id + ':' + uri.slice(0, app) + '/_app/');
    if (assets) return { file: assets + uri.slice(app + 6) };
  }
  // adapter-static's fallback page, for paths that name no file (sirv's `single` rule).
  if (!read || FILE_NAME.test(uri)) return undefined;
  var fallback = await lookup('r:' + id + ':*');
  return fallback ? { file: fallback } : undefined;
}

// The query string as received (CloudFront hands it over parsed, values still encoded).
function queryOf(querystring) {
  var parts = [];
  for (var name in querystring) {
    const entry = querystring[name];
    const values = entry.multiValue ? entry.multiValue : [entry];
    for (let i = 0; i < values.length; i++) parts.push(values[i].value === '' ? name : name + '=' + values[i].value);
  }
  return parts.length ? '?' + parts.join('&') : '';
}

function permanentRedirect(location) {
  return {
    statusCode: 308,
    statusDescription: 'Permanent Redirect',
    headers: { location: { value: location } },
  };
}

async function handler(event) {
  var request = event.request;
  var headers = request.headers;
  var host = headers.host ? headers.host.value : '';

  // Clients must not forge the tags the router trusts.
  for (var name in headers) {
    if (name.indexOf('x-slipway-') === 0) delete headers[name];
  }

  var site = await siteFor(host);
  if (!site) return notFound('No project is served at this host.');
  var project = site.project;

  var value = await lookup('p:' + site.label);
  if (!value) {
    return notFound(site.label === project ? 'There is no project named ' + project + '.' : 'There is no preview ' + site.label + '.');
  }
  var pointer = pointerOf(value);
  var id = pointer.id;

  var prefix = '/' + project + '/deployments/' + id + '/';
  var uri = request.uri;

  var found = await fileFor(id, uri, request.method);
  if (found && found.redirect) return permanentRedirect(found.redirect + queryOf(request.querystring));
  if (found && (request.method === 'GET' || request.method === 'HEAD')) {
    request.uri = prefix + found.file;
    return request;
  }

  headers['x-slipway-project'] = { value: project };
  headers['x-slipway-deployment'] = { value: id };
  headers['x-slipway-host'] = { value: host };
  if (pointer.qualifier) headers['x-slipway-qualifier'] = { value: pointer.qualifier };
  headers['x-slipway-origin'] = { value: 'router' };
  // The viewer's address, whatever the origin request policy forwards of CloudFront's own headers.
  headers['x-slipway-viewer'] = { value: event.viewer.ip };
  cf.selectRequestOriginById(ROUTER_ORIGIN_ID);
  return request;
}
