import { createRequire } from 'node:module';

interface ClosableIterator {
  close(): Promise<void>;
  return?: () => Promise<void>;
}

/**
 * dynalite 4 ends the LevelDB iterator behind every Query and Scan by calling `iterator.return()`
 * if there is one, and abstract-level 3's iterators have none (they end with `close()`). So every
 * query left its iterator open for the life of the platform: held in the database's resources, and
 * in LevelDB's native memory with the snapshot it read. This gives the iterators of the
 * abstract-level dynalite loads the `return()` it calls; it changes nothing where one exists.
 */
export function closeDynaliteIterators(): void {
  const fromDynalite = createRequire(createRequire(import.meta.url).resolve('dynalite'));
  const { AbstractIterator } = fromDynalite('abstract-level') as { AbstractIterator: { prototype: object } };
  // The common base of entry, key and value iterators (and of sublevels' iterators).
  const base = Object.getPrototypeOf(AbstractIterator.prototype) as ClosableIterator;
  if ('return' in base) return;
  Object.defineProperty(base, 'return', {
    configurable: true,
    writable: true,
    value(this: ClosableIterator) {
      return this.close();
    },
  });
}
