/** The platform's home page until the dashboard app lands (control-plane issue). */
export function dashboardPlaceholder(port: number): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Slipway</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto">
<h1>Slipway</h1>
<p>The platform is running. The dashboard is not built yet; use the CLI and the API.</p>
<ul>
<li>API: <code>http://localhost:${port}/api/v1</code> (Bearer token in <code>$SLIPWAY_HOME/admin.token</code>)</li>
<li>Deploy: <code>slipway link &amp;&amp; slipway deploy</code> in your app's folder → <code>http://NAME.localhost:${port}/</code></li>
</ul>
</body></html>`;
}
