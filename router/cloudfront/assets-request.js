import cf from 'cloudfront';

// Slipway assets function (CloudFront Functions, runtime cloudfront-js-2.0), on the /_app/*
// behaviors of the tenant distribution. Its one job: map a build asset of the live deployment to
// its key in the project bucket (the behavior's origin):
//   /_app/{file} -> /{project}/deployments/{id}/client/_app/{file}
// /_app/env.js and /_app/remote/* are answered by the SvelteKit server: the distribution gives
// them their own behaviors (viewer-request.js, router origin), so they never reach this function;
// should one arrive anyway it is refused rather than looked up in the bucket.
// The same file runs locally in router/cloudfront/sandbox.ts. Route cache keys: docs/ARCHITECTURE.md.

const kvs = cf.kvs();

const PROJECT = /^[a-z][a-z0-9-]{1,38}[a-z0-9]$/;
const DOT_SEGMENT = /(^|\/)(\.|%2e){1,2}(\/|$)/i;

// kvs.get rejects when the key is missing: that means "no entry".
async function kvsGet(key) {
  try {
    return await kvs.get(key);
  } catch (e) {
    return undefined;
  }
}

function projectOf(host) {
  var labels = hostname(host).split('.');
  if (labels.length < 2 || labels[1] === '') return undefined;
  return PROJECT.test(labels[0]) ? labels[0] : undefined;
}

// The host without its port, lowercase.
function hostname(host) {
  var name = host.toLowerCase();
  var colon = name.lastIndexOf(':');
  if (colon !== -1 && name.indexOf(']') === -1) name = name.slice(0, colon);
  return name;
}

// A custom domain (d:{host}, written by the release step) names its project; otherwise the
// first label of a platform host does. The domain is looked up first: "www.example.com" must not
// be read as a project named "www".
async function projectFor(host) {
  var custom = await kvsGet('d:' + hostname(host));
  if (custom && PROJECT.test(custom)) return custom;
  return projectOf(host);
}

function notFound(message) {
  return {
    statusCode: 404,
    statusDescription: 'Not Found',
    headers: { 'content-type': { value: 'text/html; charset=utf-8' }, 'cache-control': { value: 'no-store' } },
    body: { encoding: 'text', data: '<!doctype html><title>404 Not Found</title><h1>404 Not Found</h1><p>' + message + '</p>' },
  };
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

  var project = await projectFor(headers.host ? headers.host.value : '');
  if (!project) return notFound('No project is served at this host.');
  var id;
  try {
    id = await kvs.get('p:' + project);
  } catch (e) {
    id = undefined;
  }
  if (!id) return notFound('There is no project named ' + project + '.');

  request.uri = '/' + project + '/deployments/' + id + '/client' + uri;
  return request;
}
