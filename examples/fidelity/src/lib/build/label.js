/** A module in a folder named build: part of the source, not build output. */
export const label = 'from src/lib/build';
