import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { Ignore } from 'ignore';
import * as tar from 'tar';
import * as v from 'valibot';
import { s3Client } from '../lib/clients.js';
import { platformNames } from '../lib/config.js';
import { installationClient, splitRepository } from '../lib/github/client.js';
import { GithubSource, githubSourceKey, githubSourceUri } from '../lib/github/source-ref.js';
import { instrumented } from '../lib/observability.js';
import { MAX_SOURCE_BYTES } from '../lib/limits.js';
import { alwaysLeftOut } from '../lib/source-left-out.js';
import { openState, requireDeploymentId } from './state.js';

const FetchInput = v.looseObject({ github: GithubSource });

/** Entry types kept from GitHub's archive; anything else (devices, fifos, hard links) is dropped. */
const KEPT_TYPES = new Set(['File', 'OldFile', 'ContiguousFile', 'Directory', 'SymbolicLink']);

function fetchFailed(message: string): Error {
  return Object.assign(new Error(message), { name: 'SourceFetchFailed' });
}

/**
 * Fetches a commit from GitHub before any user code runs: takes an installation token (inside
 * the client; it is never returned or logged), downloads the commit's tarball, drops GitHub's
 * `<owner>-<repo>-<sha>/` top-level directory and stores the result as the deployment's source
 * archive. Returns the new `source` for the rest of the workflow.
 */
async function fetchSource(event: unknown): Promise<{ bucket: string; key: string }> {
  const { state, claims } = await openState(event, 'build-deploy');
  const deploymentId = requireDeploymentId(state);
  const parsed = v.safeParse(FetchInput, state);
  if (!parsed.success)
    throw new Error(`pipeline input field ${v.getDotPath(parsed.issues[0]) ?? 'github'} is invalid: ${parsed.issues[0].message}`);
  const { github } = parsed.output;
  if (claims.src !== githubSourceUri(github)) throw fetchFailed('the execution input names a GitHub source its ticket was not issued for');

  const archive = await downloadTarball(github);
  const repacked = await stripTopLevel(archive);
  const source = { bucket: platformNames().sourceBucket, key: githubSourceKey(state.project, deploymentId) };
  await s3Client().send(new PutObjectCommand({ Bucket: source.bucket, Key: source.key, Body: repacked, ContentType: 'application/gzip' }));
  return source;
}

async function downloadTarball(github: GithubSource): Promise<Buffer> {
  const client = await installationClient(github.installationId);
  try {
    const response = await client.rest.repos.downloadTarballArchive({ ...splitRepository(github.repository), ref: github.commit });
    const bytes = Buffer.from(response.data as ArrayBuffer);
    if (bytes.byteLength > MAX_SOURCE_BYTES)
      throw fetchFailed(
        `the tarball of ${github.repository}@${github.commit} exceeds the source archive limit of ${MAX_SOURCE_BYTES} bytes`,
      );
    return bytes;
  } catch (error) {
    if ((error as Error).name === 'SourceFetchFailed') throw error;
    // Only the status: Octokit errors carry the request, and the message must not carry more than needed.
    const status = (error as { status?: number }).status;
    throw fetchFailed(
      `could not download ${github.repository}@${github.commit} from GitHub${status ? ` (HTTP ${status})` : `: ${(error as Error).message}`}`,
    );
  }
}

/** A path of GitHub's archive without its top-level `<owner>-<repo>-<sha>/` directory ('' for that directory). */
function belowTopLevel(path: string): string {
  const relative = path.replace(/^\.\//, '');
  const slash = relative.indexOf('/');
  return slash === -1 ? '' : relative.slice(slash + 1).replace(/\/$/, '');
}

/** Whether an entry of GitHub's archive ships: a kept type, not always left out. */
function shipped(path: string, entry: tar.ReadEntry, leftOut: Ignore): boolean {
  if (!KEPT_TYPES.has(entry.type)) return false;
  const inside = belowTopLevel(path);
  if (inside === '') return true;
  // `..` or absolute paths are tar's to refuse; the rules cannot read them (and never ship them).
  if (inside.startsWith('/') || inside.split('/').includes('..')) return false;
  return !leftOut.ignores(entry.type === 'Directory' ? `${inside}/` : inside);
}

/**
 * Re-packs a GitHub tarball without its single top-level directory (a safe extraction into a
 * temporary directory) and without what the CLI's packer never ships either (ALWAYS_LEFT_OUT): a
 * committed `.env` would otherwise reach the build, and SvelteKit's `$env` modules read it there.
 */
export async function stripTopLevel(archive: Buffer): Promise<Buffer> {
  const leftOut = alwaysLeftOut();
  const work = await mkdtemp(join(tmpdir(), 'slipway-fetch-'));
  try {
    const input = join(work, 'in.tar.gz');
    const tree = join(work, 'tree');
    const output = join(work, 'out.tar.gz');
    await writeFile(input, archive);
    await mkdir(tree);
    await tar.x({
      file: input,
      cwd: tree,
      strip: 1,
      // The filter sees each path before `strip` drops the top-level directory.
      filter: (path, entry) => shipped(path, entry as tar.ReadEntry, leftOut),
    });
    await tar.c({ file: output, cwd: tree, gzip: true, portable: true }, ['.']);
    return await readFile(output);
  } catch (error) {
    if ((error as Error).name === 'SourceFetchFailed') throw error;
    throw fetchFailed(`the GitHub tarball could not be unpacked: ${(error as Error).message}`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

export const handler = instrumented('fetch-source', fetchSource);
