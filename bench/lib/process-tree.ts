import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time and memory of a process and everything it started, read from /proc (Linux only): the
 * bench's figures for the platform (with its function workers and storage servers) and for
 * adapter-node, each apart from the load generator.
 */
export interface ProcessSample {
  pid: number;
  ppid: number;
  /** utime + stime of the process, plus cutime + cstime of the children it has reaped, in clock ticks. */
  cpuTicks: number;
  rssBytes: number;
  command: string;
}

/** Linux's USER_HZ, which /proc/<pid>/stat counts in; 100 on every mainstream kernel build. */
const TICKS_PER_SECOND = 100;
const PAGE_BYTES = 4096;

function readSample(pid: number): ProcessSample | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: the fields start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const field = (n: number) => Number(fields[n - 3]);
    const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
    return {
      pid,
      ppid: field(4),
      cpuTicks: field(14) + field(15) + field(16) + field(17),
      rssBytes: field(24) * PAGE_BYTES,
      command,
    };
  } catch {
    // The process ended between the listing and the read.
    return undefined;
  }
}

/** The live processes of the tree rooted at `root` (the root first). */
export function processTree(root: number): ProcessSample[] {
  const all = new Map<number, ProcessSample>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const sample = readSample(Number(entry));
    if (sample) all.set(sample.pid, sample);
  }
  const rootSample = all.get(root);
  if (!rootSample) throw new Error(`process ${root} is not running`);
  const tree = [rootSample];
  for (let i = 0; i < tree.length; i++) {
    const parent = (tree[i] as ProcessSample).pid;
    for (const sample of all.values()) if (sample.ppid === parent) tree.push(sample);
  }
  return tree;
}

/** CPU seconds the tree has used so far (processes reaped inside the tree included). */
export function treeCpuSeconds(root: number): number {
  return processTree(root).reduce((sum, p) => sum + p.cpuTicks, 0) / TICKS_PER_SECOND;
}

/**
 * The pid whose network namespace a slirp4netns process serves (its argument before the interface
 * name), or undefined for any other process. The platform starts one per sandbox with a network
 * (infra/local/sandbox/user-network.ts) as its own child, beside the sandbox, not under it.
 */
function networkServedBy(sample: ProcessSample): number | undefined {
  const args = sample.command.split(' ');
  if (!args[0]?.endsWith('/slirp4netns')) return undefined;
  const target = Number(args.at(-2));
  return Number.isInteger(target) ? target : undefined;
}

/**
 * The tree's processes, optionally leaving out some subtrees (and their roots) with the network
 * helpers serving them: a sandbox's slirp4netns lives and dies with that sandbox.
 */
export function treeWithout(root: number, leaveOut: (sample: ProcessSample) => boolean): ProcessSample[] {
  const tree = processTree(root);
  const excluded = new Set<number>();
  for (const sample of tree) if (excluded.has(sample.ppid) || leaveOut(sample)) excluded.add(sample.pid);
  for (const sample of tree) {
    const served = networkServedBy(sample);
    if (served !== undefined && excluded.has(served)) excluded.add(sample.pid);
  }
  return tree.filter((p) => !excluded.has(p.pid));
}

/** Resident memory of the tree's processes, leaving out what treeWithout leaves out. */
export function treeRssBytes(root: number, leaveOut: (sample: ProcessSample) => boolean = () => false): number {
  return treeWithout(root, leaveOut).reduce((sum, p) => sum + p.rssBytes, 0);
}
