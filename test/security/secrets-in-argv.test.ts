import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandboxRunner, type SandboxRunner } from '../../infra/local/batch/sandbox.js';
import { requireSandboxTools } from '../support/sandbox-tools.js';

/**
 * The attack: read a running build's ticket and credentials from the host's `ps` (bwrap's argv, which
 * also is the sandbox's /proc/1/cmdline) or from a process's environment. They travel on an fd instead.
 */
const here = dirname(fileURLToPath(import.meta.url));

/** The argv and initial environment of every process on the host, as `ps e` would show them. */
function everyProcessText(): string {
  let text = '';
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    for (const file of ['cmdline', 'environ']) {
      try {
        text += readFileSync(`/proc/${entry}/${file}`, 'latin1');
      } catch {
        // gone, or a kernel thread
      }
    }
  }
  return text;
}

describe('a build job on the host', () => {
  let root: string;
  beforeAll(async () => {
    requireSandboxTools();
    root = await mkdtemp(join(here, '.argv-'));
  });
  /** Its job's teardown (the workspace) finishes before the root goes. */
  let runner: SandboxRunner | undefined;
  afterAll(async () => {
    await runner?.cleanedUp();
    await rm(root, { recursive: true, force: true });
  });

  it("shows neither its ticket nor its credentials in any process's argv or environment", async () => {
    const ticket = `eyJhbGciOiJFZERTQSJ9.${Math.random().toString(36).slice(2)}ticket.sig${Math.random().toString(36).slice(2)}`;
    const secretKey = `secret-access-key-${Math.random().toString(36).slice(2)}`;
    let seenWhileRunning = '';
    const lines: string[] = [];
    const run = createSandboxRunner({
      workRoot: join(root, 'builds'),
      hiddenPaths: [root],
      baseEnvironment: { AWS_SECRET_ACCESS_KEY: secretKey, ATTACK: 'hold' },
      command: [process.execPath, join(here, 'fixtures', 'cap-job.mjs')],
      onLog: (_job, line) => {
        lines.push(line);
        if (line.startsWith('ticket received')) seenWhileRunning = everyProcessText();
      },
    });
    runner = run;
    // EXPECTED_TICKET lets the job confirm it got the ticket; it travels the same way, so it is a secret too.
    await run({
      jobName: 'argv',
      timeoutSeconds: 30,
      environment: { SLIPWAY_TICKET: ticket, EXPECTED_TICKET: ticket, SLIPWAY_BUILD_ID: 'd-argv' },
    });
    expect(lines).toContain('ticket received: true');
    expect(seenWhileRunning).toContain('SLIPWAY_BUILD_ID'); // the sandbox was running and visible
    expect(seenWhileRunning).not.toContain(ticket);
    expect(seenWhileRunning).not.toContain(secretKey);
  });
});
