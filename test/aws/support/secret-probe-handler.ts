import { secretSource } from '../../../handlers/lib/bindings/bound.js';

/** A Lambda handler that answers what reading the ticket key from the bound SecretSource gives. */
export async function handler(): Promise<string> {
  try {
    return await secretSource().read('ticket-key');
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
}
