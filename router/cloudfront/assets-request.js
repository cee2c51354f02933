import cf from 'cloudfront';

// Slipway assets function (CloudFront Functions, runtime cloudfront-js-2.0), on the /_app/*
// behaviors of the tenant distribution. Its one job: map a build asset of the live deployment (or,
// at `<project>--<alias>`, of that preview's deployment) to its key in the project bucket:
//   /_app/{file} -> /{project}/deployments/{id}/client/_app/{file}
// (a 404 when the deployment has a base path: r:{id}:base; its assets are under the base).
// /_app/env.js and /_app/remote/* are answered by the SvelteKit server: the distribution gives
// them their own behaviors (viewer-request.js, router origin), so they never reach this function;
// should one arrive anyway it is refused rather than looked up in the bucket.
// The same file runs locally in infra/local/edge/cloudfront-functions.ts. Route cache keys: docs/ARCHITECTURE.md.

const kvs = cf.kvs();

// The tenants' parent domain: every project and preview answers at a name under it. The file says
// 'localhost' (the local edge runs it unchanged); the AWS stack puts its domainName here
// (infra/aws/projects/edge-function-source.ts), and a deployment without one serves custom domains only.
const PLATFORM_DOMAIN = 'localhost';

const PROJECT = /^(?!.*--)[a-z][a-z0-9-]{1,38}[a-z0-9]$/;
const ALIAS = /^(?!.*--)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
const DOT_SEGMENT = /(^|\/)(\.|%2e){1,2}(\/|$)/i;

// kvs.get rejects when the key is missing: that means "no entry".
async function kvsGet(key) {
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
  var custom = await kvsGet('d:' + name);
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
    headers: { 'content-type': { value: 'text/html; charset=utf-8' }, 'cache-control': { value: 'no-store' } },
    body: { encoding: 'text', data: '<!doctype html><title>404 Not Found</title><h1>404 Not Found</h1><p>' + message + '</p>' },
  };
}

// What SvelteKit answers for a path outside paths.base: 404, the text "Not found", no other header.
function outsideBase() {
  return { statusCode: 404, statusDescription: 'Not Found', body: { encoding: 'text', data: 'Not found' } };
}

async function handler(event) {
  var request = event.request;
  var headers = request.headers;
  var uri = request.uri;

  for (var name in headers) {
    if (name.indexOf('x-slipway-') === 0) delete headers[name];
  }
  if (uri.indexOf('/_app/') !== 0 || uri === '/_app/env.js' || uri.indexOf('/_app/remote/') === 0) {
    return notFound('No such file.');
  }
  // Never let "." / ".." segments reach the bucket key (raw or percent-encoded).
  if (DOT_SEGMENT.test(uri)) return notFound('No such file.');

  var site = await siteFor(headers.host ? headers.host.value : '');
  if (!site) return notFound('No project is served at this host.');
  var project = site.project;
  var value = await kvsGet('p:' + site.label);
  if (!value)
    return notFound(site.label === project ? 'There is no project named ' + project + '.' : 'There is no preview ' + site.label + '.');
  var id = pointerOf(value).id;
  // An app built with paths.base has its assets under the base only (the viewer-request function
  // serves {base}/_app/...): here, outside the base, SvelteKit's own answer (adapter-node's too).
  if (await kvsGet('r:' + id + ':base')) return outsideBase();

  request.uri = '/' + project + '/deployments/' + id + '/client' + uri;
  return request;
}
