import { spawn, type ChildProcess } from 'node:child_process';

export interface CommandResult {
  /** Exit code, or null when a signal ended the process. */
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface RunCommandOptions {
  cwd: string;
  /** The complete environment of the child: nothing is inherited. */
  env: Record<string, string>;
  /** Receives every output line (stdout and stderr), without its newline. */
  onLine: (line: string) => void;
  /** Run as this user and group (the runner must be root to switch). */
  user?: { uid: number; gid: number };
}

/** Longest line kept whole; longer output is split so memory stays bounded. */
const MAX_LINE = 64 * 1024;

/** Splits a byte stream into lines; `\r` (progress bars) also ends a line. */
export class LineSplitter {
  private rest = '';
  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: string): void {
    const text = this.rest + chunk;
    const parts = text.split(/\r\n|\n|\r/);
    this.rest = parts.pop() ?? '';
    for (const part of parts) this.onLine(part);
    while (this.rest.length > MAX_LINE) {
      this.onLine(this.rest.slice(0, MAX_LINE));
      this.rest = this.rest.slice(MAX_LINE);
    }
  }

  end(): void {
    if (this.rest.length > 0) this.onLine(this.rest);
    this.rest = '';
  }
}

const running = new Set<ChildProcess>();

/** Stops every running child (its whole process group); used on SIGTERM. */
export function stopRunningChildren(signal: NodeJS.Signals = 'SIGTERM'): void {
  for (const child of running) {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, signal);
    } catch {
      child.kill(signal);
    }
  }
}

/** Runs a command without a shell, streaming its output lines; resolves when it exits. */
export function runCommand(command: string, args: string[], options: RunCommandOptions): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so a stop reaches the grandchildren too.
      detached: true,
      ...(options.user ? { uid: options.user.uid, gid: options.user.gid } : {}),
    });
    running.add(child);
    const out = new LineSplitter(options.onLine);
    const err = new LineSplitter(options.onLine);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => out.push(chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => err.push(chunk));
    child.on('error', (error) => {
      running.delete(child);
      reject(error);
    });
    child.on('close', (code, signal) => {
      running.delete(child);
      out.end();
      err.end();
      resolve({ code, signal });
    });
  });
}

/** How a finished command is described in a failure reason. */
export function describeExit(label: string, result: CommandResult): string {
  if (result.signal) return `${label} was stopped by signal ${result.signal}`;
  return `${label} exited with code ${result.code ?? 'unknown'}`;
}
