import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** Every TCP port a process listens on (from /proc: its socket fds matched to the LISTEN sockets). */
export function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match) inodes.add(match[1] as string);
    } catch {
      // closed meanwhile
    }
  }
  const ports = new Set<number>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      // local_address is field 1 (ADDR:PORT in hex), st is field 3 (0A = LISTEN), inode is field 9.
      if (fields[3] === '0A' && inodes.has(fields[9] as string)) ports.add(parseInt((fields[1] as string).split(':')[1] as string, 16));
    }
  }
  return [...ports].sort((a, b) => a - b);
}
