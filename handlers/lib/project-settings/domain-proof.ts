import { randomBytes } from 'node:crypto';
import { txtResolver } from '../bindings/bound.js';

/**
 * Ownership of a custom domain: the project's owner publishes a TXT record holding the domain's
 * token at `_slipway-challenge.<domain>`; only someone who controls the domain's DNS can.
 */

/** The name the TXT record goes under. */
export function challengeName(domain: string): string {
  return `_slipway-challenge.${domain}`;
}

/** A fresh token: 128 random bits, prefixed so the record says what it is for. */
export function newChallengeToken(): string {
  return `slipway-verify=${randomBytes(16).toString('hex')}`;
}

/** The record to create, as the API and the CLI show it. */
export function challengeRecord(domain: string, token: string): { type: 'TXT'; name: string; value: string } {
  return { type: 'TXT', name: challengeName(domain), value: token };
}

export type ProofCheck = { proven: true } | { proven: false; problem: string };

/** Whether the domain's challenge record holds the token; a resolver failure is "not proven", with why. */
export async function checkOwnership(domain: string, token: string): Promise<ProofCheck> {
  const name = challengeName(domain);
  let records: string[];
  try {
    records = await txtResolver().resolveTxt(name);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    return { proven: false, problem: `the TXT lookup of ${name} failed (${code}); try again later` };
  }
  if (records.some((record) => record.trim() === token)) return { proven: true };
  return {
    proven: false,
    problem: records.length
      ? `${name} has TXT records, none of them the token`
      : `${name} has no TXT record yet (DNS changes can take minutes to reach resolvers)`,
  };
}
