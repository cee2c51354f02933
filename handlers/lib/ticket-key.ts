import { ensureLocalKey, platformKey } from './platform-key.js';

/**
 * The ticket-signing key: from Secrets Manager on AWS (SLIPWAY_TICKET_SECRET_ARN),
 * from a 0600 file under the state folder locally (SLIPWAY_TICKET_KEY_FILE).
 */
export const ticketKey = platformKey('ticket-key', 'SLIPWAY_TICKET_SECRET_ARN nor SLIPWAY_TICKET_KEY_FILE');

/** Creates the local key file once (mode 0600); keeps an existing one. */
export const ensureLocalTicketKey = ensureLocalKey;
