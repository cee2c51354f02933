import { bodyLimit } from 'hono/body-limit';
import { verify } from '@octokit/webhooks-methods';
import * as v from 'valibot';
import { ApiError, parse } from '../errors.js';
import { ProjectName } from '../schemas.js';
import { webhookSecret } from '../github/webhook-secret.js';
import {
  DeliveryId,
  EventName,
  InstallationPayload,
  InstallationRepositoriesPayload,
  PingPayload,
  PullRequestPayload,
  PushPayload,
} from '../github/payloads.js';
import { bodyDigest, claimDelivery, releaseDelivery } from '../github/deliveries.js';
import { handlePullRequest, handlePush } from '../github/deploy-events.js';
import { handleInstallation, handleInstallationRepositories } from '../github/installation-events.js';
import { GithubWebhookPayload, WebhookIgnored, PushDelivery, InstallationChange } from '../responses.js';
import { route, type ApiRoute } from '../route.js';

/**
 * GitHub App webhooks. GitHub authenticates by signing the body (X-Hub-Signature-256, HMAC-SHA256
 * with the App's webhook secret), not with a bearer token: the route is public (served before the token
 * middleware) and has its own body limit, since pushes from big repositories exceed the API's.
 */
export const MAX_WEBHOOK_BODY_BYTES = 1024 * 1024;

export const webhookRoutes: ApiRoute[] = [];

const tooLarge = () => new ApiError('PayloadTooLarge', `body exceeds the webhook limit of ${MAX_WEBHOOK_BODY_BYTES} bytes`, 'body');

const webhookBodyLimit = bodyLimit({
  maxSize: MAX_WEBHOOK_BODY_BYTES,
  onError: () => {
    throw tooLarge();
  },
});

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

webhookRoutes.push(
  route({
    method: 'post',
    path: '/webhooks/github',
    operationId: 'receiveGithubWebhook',
    summary:
      'A GitHub App webhook delivery: no bearer token, signed instead (X-Hub-Signature-256 over the raw body, 401 if missing or wrong); needs X-GitHub-Event and X-GitHub-Delivery (a UUID; a repeated one is ignored); body up to 1 MB',
    tag: 'webhooks',
    access: 'public',
    body: GithubWebhookPayload,
    rawBody: true,
    middleware: [webhookBodyLimit],
    responses: {
      200: v.union([v.object({ pong: v.literal(true), zen: v.optional(v.string()) }), WebhookIgnored]),
      202: v.union([
        v.object({
          deliveries: v.array(PushDelivery),
          skipped: v.optional(v.array(v.object({ project: ProjectName, reason: v.string() }))),
        }),
        InstallationChange,
        WebhookIgnored,
      ]),
    },
    errors: [400, 401, 413],
    handler: async (c) => {
      const text = await rawBody(c);
      const signature = c.req.header('x-hub-signature-256');
      if (!signature) throw new ApiError('Unauthorized', 'the X-Hub-Signature-256 header is missing');
      if (!/^sha256=[0-9a-f]{64}$/.test(signature))
        throw new ApiError('Unauthorized', 'the X-Hub-Signature-256 header must be "sha256=" and 64 hexadecimal digits');
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
      const handle = handlers[event];
      if (!handle) {
        if (!(await claimDelivery(delivery, event))) return c.json({ ignored: 'duplicate delivery' }, 200);
        return c.json({ ignored: `event ${event}` }, 202);
      }
      // Validated before the delivery is claimed: a malformed payload leaves the id free.
      const work = handle(delivery, jsonPayload(text));
      // The signature covers the body, not the delivery id: a signed body re-sent under a new id is a replay too.
      const digest = bodyDigest(text);
      if (!(await claimDelivery(delivery, event, digest))) return c.json({ ignored: 'duplicate delivery' }, 200);
      try {
        return c.json(await work(), 202);
      } catch (error) {
        // Let GitHub's redelivery of this id through again; what it started is recorded per project, so a retry cannot double it.
        await releaseDelivery(delivery, digest).catch((release: unknown) =>
          console.error('slipway webhooks: could not release delivery', delivery, release),
        );
        throw error;
      }
    },
  }),
);

/** Per event: validate the payload now (a 400 names the field), and return the work to do once the delivery is claimed. */
const handlers: Record<string, (delivery: string, payload: unknown) => () => Promise<object>> = {
  push: (delivery, payload) => {
    const push = parse(PushPayload, payload, 'body');
    return () => handlePush(delivery, push);
  },
  pull_request: (delivery, payload) => {
    const event = parse(PullRequestPayload, payload, 'body');
    return () => handlePullRequest(delivery, event);
  },
  installation: (_delivery, payload) => {
    const event = parse(InstallationPayload, payload, 'body');
    return () => handleInstallation(event);
  },
  installation_repositories: (_delivery, payload) => {
    const event = parse(InstallationRepositoriesPayload, payload, 'body');
    return () => handleInstallationRepositories(event);
  },
};
