/** A command line the CLI cannot act on: printed as one line saying what to type, exit code 2. */
export class UsageError extends Error {}
