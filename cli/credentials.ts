import { chmod, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import * as v from 'valibot';

/** What `slipway login` keeps: the API it signed in to, the token, and who that is. */
const Credentials = v.object({
  apiUrl: v.pipe(v.string(), v.url()),
  token: v.pipe(v.string(), v.minLength(1)),
  user: v.optional(v.string()),
});
export type Credentials = v.InferOutput<typeof Credentials>;

/** `$XDG_CONFIG_HOME/slipway` (default `~/.config/slipway`): the user's, not the app's nor the platform's. */
export function configDir(): string {
  const base = process.env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'slipway');
}

export function credentialsFile(): string {
  return join(configDir(), 'credentials.json');
}

/**
 * The stored credentials, or undefined when there are none. A file others can read (looser than
 * 0600) is tightened before it is used, and said so on stderr: the token in it may already have been read.
 */
export async function readCredentials(): Promise<Credentials | undefined> {
  const file = credentialsFile();
  const info = await stat(file).catch(() => undefined);
  if (!info) return undefined;
  if ((info.mode & 0o077) !== 0) {
    await chmod(file, 0o600);
    process.stderr.write(
      `slipway: ${file} was readable by others (mode ${(info.mode & 0o777).toString(8)}); made it 0600. Consider a new token: slipway login\n`,
    );
  }
  const parsed = v.safeParse(Credentials, JSON.parse(await readFile(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file} is not what \`slipway login\` writes: run \`slipway login\` again`);
  return parsed.output;
}

/** Writes the credentials readable by the user alone (the folder too: 0700). */
export async function writeCredentials(credentials: Credentials): Promise<string> {
  await mkdir(configDir(), { recursive: true, mode: 0o700 });
  const file = credentialsFile();
  await writeFile(file, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  // writeFile's mode applies only to a new file: an older, looser one is tightened here.
  await chmod(file, 0o600);
  return file;
}

/** Removes the credentials; whether there were any. */
export async function removeCredentials(): Promise<boolean> {
  const file = credentialsFile();
  const existed = (await stat(file).catch(() => undefined)) !== undefined;
  await rm(file, { force: true });
  return existed;
}
