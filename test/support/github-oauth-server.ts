import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestAws } from './local-aws.js';

/**
 * GitHub's OAuth side, as a local test server (tests only): the token endpoint checks the client
 * secret, the redirect URI and the PKCE verifier against the challenge the authorize redirect
 * carried, and /user answers for the token it issued.
 */
export interface GitHubOAuthServer {
  url: string;
  clientId: string;
  clientSecret: string;
  /** What GitHub would do once the user approves: remember the request, hand back a code for the callback. */
  approve(authorizeUrl: string, account: { login: string; id: number }): { code: string; state: string; redirectUri: string };
  /** Token requests seen, for assertions. */
  tokenRequests: URLSearchParams[];
  close(): Promise<void>;
}

export async function startGitHubOAuthServer(): Promise<GitHubOAuthServer> {
  const clientId = `Iv1.${randomBytes(8).toString('hex')}`;
  const clientSecret = randomBytes(20).toString('hex');
  const codes = new Map<string, { challenge: string; redirectUri: string; account: { login: string; id: number } }>();
  const tokens = new Map<string, { login: string; id: number }>();
  const tokenRequests: URLSearchParams[] = [];

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const json = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (req.method === 'POST' && url.pathname === '/login/oauth/access_token') {
        const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
        tokenRequests.push(form);
        const grant = codes.get(form.get('code') ?? '');
        // GitHub answers OAuth errors with 200 and an `error` field.
        if (!grant) return json(200, { error: 'bad_verification_code', error_description: 'The code passed is incorrect or expired.' });
        codes.delete(form.get('code') as string);
        if (form.get('client_id') !== clientId || form.get('client_secret') !== clientSecret)
          return json(200, { error: 'incorrect_client_credentials' });
        if (form.get('redirect_uri') !== grant.redirectUri) return json(200, { error: 'redirect_uri_mismatch' });
        const verifier = form.get('code_verifier') ?? '';
        if (createHash('sha256').update(verifier).digest('base64url') !== grant.challenge)
          return json(200, { error: 'invalid_grant', error_description: 'PKCE verification failed' });
        const token = `gho_${randomBytes(16).toString('hex')}`;
        tokens.set(token, grant.account);
        return json(200, { access_token: token, token_type: 'bearer', scope: 'read:user' });
      }
      if (req.method === 'GET' && url.pathname === '/user') {
        const account = tokens.get((req.headers.authorization ?? '').replace(/^Bearer /, ''));
        return account ? json(200, { ...account, type: 'User' }) : json(401, { message: 'Bad credentials' });
      }
      json(404, { message: 'Not Found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    clientId,
    clientSecret,
    tokenRequests,
    approve(authorizeUrl, account) {
      const request = new URL(authorizeUrl);
      if (request.origin !== url || request.pathname !== '/login/oauth/authorize')
        throw new Error(`not an authorize URL of this server: ${authorizeUrl}`);
      const q = request.searchParams;
      if (q.get('client_id') !== clientId) throw new Error('wrong client_id');
      if (q.get('code_challenge_method') !== 'S256' || !q.get('code_challenge')) throw new Error('no S256 PKCE challenge');
      const code = randomBytes(10).toString('hex');
      codes.set(code, { challenge: q.get('code_challenge') as string, redirectUri: q.get('redirect_uri') as string, account });
      return { code, state: q.get('state') as string, redirectUri: q.get('redirect_uri') as string };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Points the test platform's GitHub sign-in at `server`: its URLs, its client id, and the client secret in a 0600 file under `dir`. */
export function useGitHubOAuthServer(server: GitHubOAuthServer, aws: Pick<TestAws, 'platform' | 'secretFiles'>, dir: string): void {
  const secretFile = join(dir, 'oauth-client.secret');
  writeFileSync(secretFile, server.clientSecret, { mode: 0o600 });
  aws.platform.github = { webUrl: server.url, apiUrl: server.url };
  aws.secretFiles.files['github-oauth-client-secret'] = secretFile;
  aws.secretFiles.values = { ...aws.secretFiles.values, 'github-oauth-client-id': server.clientId };
}
