/** Whether a process with this pid exists (EPERM: it does, owned by another user, e.g. a sandbox uid). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
