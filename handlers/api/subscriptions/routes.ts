import { Hono } from 'hono';
import * as v from 'valibot';
import { Limits } from '../../lib/limits.js';
import { ApiError } from '../errors.js';
import { jsonBody, type ApiEnv } from '../context.js';
import { getSubscription, listSubscriptions, putSubscription, setUserSubscription, subscriptionOf, SubscriptionName } from './store.js';
import { usageOf } from './usage.js';
import { requirePermission } from '../identity/access.js';
import { Login } from '../identity/schemas.js';

/** A path parameter, refused as a 400 naming `path.<name>`. */
function pathParam<const S extends v.GenericSchema<string, string>>(schema: S, value: string, name: string): v.InferOutput<S> {
  const result = v.safeParse(schema, value);
  if (!result.success) throw new ApiError('BadRequest', `path.${name} is invalid: ${result.issues[0].message}`, `path.${name}`);
  return result.output;
}

export const PutSubscriptionBody = v.strictObject({ limits: Limits });
export const AssignSubscriptionBody = v.strictObject({ subscription: SubscriptionName });

/** Admin routes for subscriptions (mounted at /admin). */
export const subscriptionAdminRoutes = new Hono<ApiEnv>();

subscriptionAdminRoutes.get('/subscriptions', async (c) => {
  requirePermission(c, 'subscriptions:read');
  return c.json({ subscriptions: await listSubscriptions() });
});

subscriptionAdminRoutes.put('/subscriptions/:subscription', async (c) => {
  requirePermission(c, 'subscriptions:write');
  const name = pathParam(SubscriptionName, c.req.param('subscription'), 'subscription');
  const { limits } = await jsonBody(c, PutSubscriptionBody);
  return c.json({ subscription: await putSubscription(name, limits, c.get('caller').user) }, 200);
});

subscriptionAdminRoutes.put('/users/:login/subscription', async (c) => {
  requirePermission(c, 'subscriptions:write');
  const login = pathParam(Login, c.req.param('login'), 'login').toLowerCase();
  const { subscription: name } = await jsonBody(c, AssignSubscriptionBody);
  const subscription = await getSubscription(name);
  if (!subscription) throw new ApiError('NotFound', `body.subscription ${name} does not exist`, 'body.subscription');
  await setUserSubscription(login, name, c.get('caller').user);
  return c.json({ user: login, subscription }, 200);
});

/** The caller's own subscription, its limits and the current usage of the counted ones (mounted at /me). */
export const myLimitsRoutes = new Hono<ApiEnv>();

myLimitsRoutes.get('/limits', async (c) => {
  const user = c.get('caller').user;
  const [subscription, usage] = await Promise.all([subscriptionOf(user), usageOf(user)]);
  return c.json({ user, subscription: subscription.name, limits: subscription.limits, usage });
});
