// Dashboard distribution, default behavior (the server function), runtime cloudfront-js-2.0: the
// function URL origin gets its own Host, so the viewer's host travels in x-slipway-host (any
// incoming one is replaced; the server function trusts it only with the origin secret beside it).
// biome-ignore lint/correctness/noUnusedVariables: CloudFront calls handler(event)
function handler(event) {
  var request = event.request;
  request.headers['x-slipway-host'] = { value: request.headers.host.value };
  return request;
}
