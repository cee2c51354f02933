import { ensureLocalKey, platformKey } from './platform-key.js';

/**
 * The ticket-signing key: from Secrets Manager on AWS (SLIPWAY_TICKET_SECRET_ARN),
 * from a 0600 file under the state folder locally (SLIPWAY_TICKET_KEY_FILE).
 */
export const ticketKey = platformKey('SLIPWAY_TICKET', 'ticket secret');

/** Creates the local key file once (mode 0600); keeps an existing one. */
export const ensureLocalTicketKey = ensureLocalKey;
