import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { verify } from '@octokit/webhooks-methods';
import * as v from 'valibot';
import { ApiError, parse } from '../errors.js';
import type { ApiEnv } from '../context.js';
import { findProjectsByRepository } from '../records.js';
import { webhookSecret } from '../github/webhook-secret.js';
import { DeliveryId, EventName, PingPayload, PushPayload } from '../github/payloads.js';
import { decidePush, pushedBranch, type PushDecision } from '../github/branch-rules.js';
import { claimDelivery, putPushRecord, releaseDelivery } from '../github/deliveries.js';

/**
 * GitHub App webhooks. GitHub authenticates by signing the body (X-Hub-Signature-256, HMAC-SHA256
 * with the App's webhook secret), not with a bearer token: this router is mounted before the token
 * middleware and has its own body limit, since pushes from big repositories exceed the API's.
 */
export const MAX_WEBHOOK_BODY_BYTES = 1024 * 1024;

export const webhookRoutes = new Hono<ApiEnv>();

const tooLarge = () => new ApiError('PayloadTooLarge', `body exceeds the webhook limit of ${MAX_WEBHOOK_BODY_BYTES} bytes`, 'body');

webhookRoutes.use(
  '*',
  bodyLimit({
    maxSize: MAX_WEBHOOK_BODY_BYTES,
    onError: () => {
      throw tooLarge();
    },
  }),
);

function header(c: { req: { header(name: string): string | undefined } }, name: string): string {
  const value = c.req.header(name);
  if (!value) throw new ApiError('BadRequest', `the ${name} header is missing`, `header.${name}`);
  return value;
}

function headerValue<const S extends v.GenericSchema<string, string>>(schema: S, value: string, name: string): v.InferOutput<S> {
  const result = v.safeParse(schema, value);
  if (!result.success) throw new ApiError('BadRequest', `the ${name} header is invalid: ${result.issues[0].message}`, `header.${name}`);
  return result.output;
}

/** The body exactly as received, as the text the signature was computed over. */
async function rawBody(c: { req: { arrayBuffer(): Promise<ArrayBuffer> } }): Promise<string> {
  const bytes = new Uint8Array(await c.req.arrayBuffer());
  if (bytes.byteLength > MAX_WEBHOOK_BODY_BYTES) throw tooLarge();
  if (bytes.byteLength === 0) throw new ApiError('BadRequest', 'body is empty: a webhook delivery carries a JSON payload', 'body');
  try {
    // fatal + ignoreBOM: the text re-encodes to exactly these bytes, so the HMAC covers what arrived.
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new ApiError('BadRequest', 'body must be UTF-8 text', 'body');
  }
}

function jsonPayload(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError('BadRequest', 'body must be a JSON document', 'body');
  }
}

webhookRoutes.post('/github', async (c) => {
  const text = await rawBody(c);
  const signature = c.req.header('x-hub-signature-256');
  if (!signature) throw new ApiError('Unauthorized', 'the X-Hub-Signature-256 header is missing');
  if (!/^sha256=[0-9a-f]{64}$/.test(signature)) throw new ApiError('Unauthorized', 'the X-Hub-Signature-256 header must be "sha256=" and 64 hexadecimal digits');
  if (!(await verify(await webhookSecret(), text, signature))) {
    throw new ApiError('Unauthorized', 'the X-Hub-Signature-256 signature does not match the body');
  }
  // Signed by GitHub from here on; the headers below are not covered by the signature, the body is.
  const event = headerValue(EventName, header(c, 'X-GitHub-Event'), 'X-GitHub-Event');
  const delivery = headerValue(DeliveryId, header(c, 'X-GitHub-Delivery'), 'X-GitHub-Delivery');

  if (event === 'ping') {
    const ping = parse(PingPayload, jsonPayload(text), 'body');
    if (!(await claimDelivery(delivery, event))) return c.json({ ignored: 'duplicate delivery' }, 200);
    return c.json({ pong: true, ...(ping.zen ? { zen: ping.zen } : {}) }, 200);
  }
  if (event !== 'push') {
    if (!(await claimDelivery(delivery, event))) return c.json({ ignored: 'duplicate delivery' }, 200);
    return c.json({ ignored: `event ${event}` }, 202);
  }

  const push = parse(PushPayload, jsonPayload(text), 'body');
  if (!(await claimDelivery(delivery, event))) return c.json({ ignored: 'duplicate delivery' }, 200);
  try {
    const facts = { ref: push.ref, after: push.after, deleted: push.deleted, defaultBranch: push.repository.default_branch };
    const branch = pushedBranch(facts);
    if ('ignored' in branch) return c.json({ ignored: branch.ignored }, 202);
    const repository = push.repository.full_name;
    const outcome = decidePush(facts, await findProjectsByRepository(repository));
    if ('ignored' in outcome) return c.json({ ignored: outcome.ignored }, 202);
    if (outcome.decisions.length === 0 && outcome.skipped.length === 0) return c.json({ ignored: `no project is linked to ${repository}` }, 202);
    const createdAt = new Date().toISOString();
    // Next step of this issue: fetch the commit's source from GitHub with the installation token
    // (never handed to user build scripts) and start build-and-deploy for each decision. Until
    // then a decision is recorded as PENDING_SOURCE and no execution starts.
    for (const decision of outcome.decisions) {
      await putPushRecord({
        project: decision.project,
        delivery,
        kind: decision.kind,
        ...(decision.kind === 'preview' ? { alias: decision.alias } : {}),
        branch: decision.branch,
        commit: decision.commit,
        repository: repository.toLowerCase(),
        installationId: push.installation.id,
        status: 'PENDING_SOURCE',
        createdAt,
      });
    }
    return c.json({ deliveries: outcome.decisions.map(deliveryView), ...(outcome.skipped.length ? { skipped: outcome.skipped } : {}) }, 202);
  } catch (error) {
    // Let GitHub's redelivery of this id through again; the push records are keyed by it, so a retry cannot double them.
    await releaseDelivery(delivery).catch((release: unknown) => console.error('slipway webhooks: could not release delivery', delivery, release));
    throw error;
  }
});

function deliveryView(decision: PushDecision) {
  return {
    project: decision.project,
    kind: decision.kind,
    ...(decision.kind === 'preview' ? { alias: decision.alias } : {}),
    branch: decision.branch,
    commit: decision.commit,
  };
}
