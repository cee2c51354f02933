import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jwtVerify } from 'jose';
import type { TestAws } from './local-aws.js';

/** One request the test GitHub received (after the token exchange). */
export interface GithubCall {
  method: string;
  path: string;
  authorization?: string;
  body?: Record<string, any>;
  /** The id the server gave what this call created. */
  id?: number;
}

export interface GithubTestServer {
  url: string;
  appId: string;
  /** Every installation token issued so far (to check that none leaks). */
  tokens: string[];
  calls: GithubCall[];
  /** `owner/repo@sha` (lowercase repo) → the gzipped tarball served for it. */
  tarballs: Map<string, Buffer>;
  /** Answer the reporting endpoints (statuses, deployments) with this HTTP status instead. */
  failReporting?: number;
  /** Writes the App's private key as a 0600 PEM file under `dir` and points the test's platform at this server as its App. */
  configure(aws: Pick<TestAws, 'platform' | 'secretFiles'>, dir: string): void;
  /** Writes the App's private key as a 0600 PEM file under `dir`: the variables that make a `slipway up` process use this server as its App. */
  environment(dir: string): Record<string, string>;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * GitHub as far as Slipway talks to it, for tests: the App's installation-token exchange (the
 * App JWT is verified against the App's public key), commit tarballs (only with a token it
 * issued) and the status / deployment endpoints, which it records.
 */
export async function startGithubServer(): Promise<GithubTestServer> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const appId = '31337';
  let nextId = 1000;
  const control: { failReporting?: number } = {};
  const state: Omit<GithubTestServer, 'url' | 'close' | 'configure' | 'environment'> = {
    appId,
    tokens: [],
    calls: [],
    tarballs: new Map(),
  };
  const send = (res: import('node:http').ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://github.test');
      const path = url.pathname;
      const text = await readBody(req);
      const authorization = req.headers.authorization;
      let match: RegExpExecArray | null;
      if (req.method === 'POST' && (match = /^\/app\/installations\/(\d+)\/access_tokens$/.exec(path))) {
        if (!(await validAppJwt(authorization, publicKey, appId)))
          return send(res, 401, { message: 'A JSON web token could not be decoded' });
        const token = `ghs_${randomBytes(18).toString('hex')}`;
        state.tokens.push(token);
        return send(res, 201, {
          token,
          expires_at: new Date(Date.now() + 3600_000).toISOString(),
          permissions: { contents: 'read', statuses: 'write', deployments: 'write' },
          repository_selection: 'selected',
        });
      }
      const tokenOk = authorization !== undefined && state.tokens.some((t) => authorization === `token ${t}`);
      if (req.method === 'GET' && (match = /^\/repos\/([^/]+)\/([^/]+)\/tarball\/([0-9a-f]{40})$/.exec(path))) {
        state.calls.push({ method: 'GET', path, ...(authorization ? { authorization } : {}) });
        if (!tokenOk) return send(res, 404, { message: 'Not Found' });
        const tarball = state.tarballs.get(`${`${match[1]}/${match[2]}`.toLowerCase()}@${match[3]}`);
        if (!tarball) return send(res, 404, { message: 'Not Found' });
        res.writeHead(200, { 'content-type': 'application/x-gzip', 'content-length': String(tarball.length) });
        return res.end(tarball);
      }
      if (req.method === 'POST' && /^\/repos\/[^/]+\/[^/]+\/(statuses\/[0-9a-f]{40}|deployments|deployments\/\d+\/statuses)$/.test(path)) {
        const body = text ? (JSON.parse(text) as Record<string, any>) : {};
        const call: GithubCall = { method: 'POST', path, ...(authorization ? { authorization } : {}), body };
        state.calls.push(call);
        if (!tokenOk) return send(res, 401, { message: 'Bad credentials' });
        if (control.failReporting) return send(res, control.failReporting, { message: 'GitHub is having a bad day' });
        call.id = nextId++;
        return send(res, 201, { id: call.id, ...body });
      }
      send(res, 404, { message: 'Not Found' });
    })().catch((error: unknown) => send(res, 500, { message: String(error) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const writeKey = (dir: string): string => {
    const keyFile = join(dir, 'github-app.pem');
    writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    return keyFile;
  };
  const result: GithubTestServer = Object.assign(state, {
    url,
    configure(aws: Pick<TestAws, 'platform' | 'secretFiles'>, dir: string) {
      aws.secretFiles.files['github-app-private-key'] = writeKey(dir);
      aws.secretFiles.values = { ...aws.secretFiles.values, 'github-app-id': appId };
      aws.platform.github = { ...aws.platform.github, apiUrl: url };
    },
    environment(dir: string) {
      return { SLIPWAY_GITHUB_APP_ID: appId, SLIPWAY_GITHUB_APP_KEY_FILE: writeKey(dir), SLIPWAY_GITHUB_API_URL: url };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
  Object.defineProperty(result, 'failReporting', {
    get: () => control.failReporting,
    set: (value: number | undefined) => (control.failReporting = value),
  });
  return result;
}

async function validAppJwt(authorization: string | undefined, publicKey: KeyObject, appId: string): Promise<boolean> {
  const jwt = /^bearer (.+)$/i.exec(authorization ?? '')?.[1];
  if (!jwt) return false;
  try {
    const { payload } = await jwtVerify(jwt, publicKey, { algorithms: ['RS256'] });
    return String(payload.iss) === appId;
  } catch {
    return false;
  }
}
