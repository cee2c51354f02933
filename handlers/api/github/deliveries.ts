import { createHash } from 'node:crypto';
import {
  deleteWebhookBody,
  deleteWebhookDelivery,
  putWebhookBodyIfAbsent,
  putWebhookDeliveryIfAbsent,
} from '../../lib/table/webhook-deliveries.js';

/** How long a delivery id is remembered (the table's TTL attribute `expiresAt`, epoch seconds). */
export const REPLAY_WINDOW_SECONDS = 7 * 24 * 60 * 60;

/**
 * How long an applied body is remembered. GitHub signs the body only, so a captured delivery can be
 * re-sent under a new delivery id; its digest outlives the delivery id by far (a few hundred bytes
 * per delivery), and a body older than this that someone kept is the remaining window.
 */
export const BODY_REPLAY_WINDOW_SECONDS = 90 * 24 * 60 * 60;

/** The SHA-256 (hex) of a delivery's body exactly as signed: what identifies it across delivery ids. */
export function bodyDigest(body: string): string {
  return createHash('sha256').update(body, 'utf8').digest('hex');
}

/**
 * Claims a delivery id; false when it was seen before (within the replay window). DynamoDB's
 * condition decides, so two concurrent copies of one delivery cannot both pass. With `digest`
 * (deliveries that change something), the body is claimed too: false as well when the same signed
 * body was already applied under another delivery id.
 */
export async function claimDelivery(delivery: string, event: string, digest?: string, now = new Date()): Promise<boolean> {
  const receivedAt = now.toISOString();
  const epoch = Math.floor(now.getTime() / 1000);
  if (
    !(await putWebhookDeliveryIfAbsent(delivery, {
      event,
      receivedAt,
      expiresAt: epoch + REPLAY_WINDOW_SECONDS,
    }))
  )
    return false;
  if (digest === undefined) return true;
  try {
    // The delivery id stays claimed when the body is a replay: that id carried a body already applied.
    return await putWebhookBodyIfAbsent(digest, {
      event,
      delivery,
      receivedAt,
      expiresAt: epoch + BODY_REPLAY_WINDOW_SECONDS,
    });
  } catch (error) {
    await releaseDelivery(delivery);
    throw error;
  }
}

/** Gives a delivery id (and its body) back when handling it failed, so GitHub's redelivery is not taken for a replay. */
export async function releaseDelivery(delivery: string, digest?: string): Promise<void> {
  await deleteWebhookDelivery(delivery);
  if (digest !== undefined) await deleteWebhookBody(digest);
}
