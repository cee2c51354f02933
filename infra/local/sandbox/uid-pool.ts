/**
 * Distinct unprivileged user ids for concurrent sandboxes. Each sandbox runs as its own uid, so
 * RLIMIT_NPROC counts only its own processes and the files it writes are not another sandbox's.
 * The ids have no passwd entry on purpose: they own nothing on the host.
 */
export interface UidLease {
  uid: number;
  /** Slot number within the pool (0-based): stable per-slot resources such as a package cache hang off it. */
  slot: number;
  release(): void;
}

export class UidPool {
  private static readonly byFirstUid = new Map<number, UidPool>();

  /**
   * The process-wide pool starting at `firstUid`: two function hosts or build runners of one process
   * (tests make several) must not lease the same uid twice. The first caller's size holds.
   */
  static shared(firstUid: number, size: number): UidPool {
    let pool = UidPool.byFirstUid.get(firstUid);
    if (!pool) {
      pool = new UidPool(firstUid, size);
      UidPool.byFirstUid.set(firstUid, pool);
    }
    return pool;
  }

  private readonly free: number[];
  private readonly waiting: Array<(slot: number) => void> = [];

  constructor(
    private readonly firstUid: number,
    size: number,
  ) {
    if (!Number.isInteger(firstUid) || firstUid < 1000) throw new Error(`uid pool must start at an unprivileged uid, not ${firstUid}`);
    this.free = Array.from({ length: size }, (_, slot) => slot);
  }

  /** Waits for a free slot when all are leased. */
  async acquire(): Promise<UidLease> {
    const slot = this.free.shift() ?? (await new Promise<number>((resolve) => this.waiting.push(resolve)));
    let released = false;
    return {
      uid: this.firstUid + slot,
      slot,
      release: () => {
        if (released) return;
        released = true;
        const next = this.waiting.shift();
        if (next) next(slot);
        // Most recently used first: its slot's package cache is the warm one.
        else this.free.unshift(slot);
      },
    };
  }
}
