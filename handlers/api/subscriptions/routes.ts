import * as v from 'valibot';
import { Limits } from '../../lib/limits.js';
import { ApiError } from '../errors.js';
import { getSubscription, listSubscriptions, putSubscription, setUserSubscription, subscriptionOf, SubscriptionName } from './store.js';
import { usageOf } from './usage.js';
import { Subscription, Usage } from '../responses.js';
import { route, type ApiRoute } from '../route.js';

export const PutSubscriptionBody = v.strictObject({ limits: Limits });
export const AssignSubscriptionBody = v.strictObject({ subscription: SubscriptionName });

/** Admin routes for subscriptions. */
export const subscriptionAdminRoutes: ApiRoute[] = [];

subscriptionAdminRoutes.push(
  route({
    method: 'get',
    path: '/admin/subscriptions',
    operationId: 'listSubscriptions',
    summary: 'List subscriptions and their limits: the stored ones and the built-in ones no item overrides',
    tag: 'admin',
    access: 'subscriptions:read',
    responses: { 200: v.object({ subscriptions: v.array(Subscription) }) },
    errors: [401, 403],
    handler: async (c) => {
      return c.json({ subscriptions: await listSubscriptions() });
    },
  }),
);

subscriptionAdminRoutes.push(
  route({
    method: 'put',
    path: '/admin/subscriptions/{subscription}',
    operationId: 'putSubscription',
    summary: 'Create or replace a subscription: every limit, each a whole number within its bounds',
    tag: 'admin',
    access: 'subscriptions:write',
    body: PutSubscriptionBody,
    responses: { 200: v.object({ subscription: Subscription }) },
    errors: [400, 401, 403, 413],
    handler: async (c, { params: { subscription }, body: { limits } }) => {
      return c.json({ subscription: await putSubscription(subscription, limits, c.get('caller').user) }, 200);
    },
  }),
);

subscriptionAdminRoutes.push(
  route({
    method: 'put',
    path: '/admin/users/{login}/subscription',
    operationId: 'assignSubscription',
    summary: "Set a user's subscription (404 naming body.subscription when it does not exist)",
    tag: 'admin',
    access: 'subscriptions:write',
    body: AssignSubscriptionBody,
    responses: { 200: v.object({ user: v.string(), subscription: Subscription }) },
    errors: [400, 401, 403, 404, 413],
    handler: async (c, { params: { login }, body }) => {
      const { subscription: name } = body;
      const subscription = await getSubscription(name);
      if (!subscription) throw new ApiError('NotFound', `body.subscription ${name} does not exist`, 'body.subscription');
      await setUserSubscription(login, name, c.get('caller').user);
      return c.json({ user: login, subscription }, 200);
    },
  }),
);

/** The caller's own subscription, its limits and the current usage of the counted ones. */
export const myLimitsRoutes: ApiRoute[] = [];

myLimitsRoutes.push(
  route({
    method: 'get',
    path: '/me/limits',
    operationId: 'getMyLimits',
    summary: "The caller's subscription, its limits and current usage",
    tag: 'identity',
    access: 'signed-in',
    responses: { 200: v.object({ user: v.string(), subscription: SubscriptionName, limits: Limits, usage: Usage }) },
    errors: [401],
    handler: async (c) => {
      const user = c.get('caller').user;
      const [subscription, usage] = await Promise.all([subscriptionOf(user), usageOf(user)]);
      return c.json({ user, subscription: subscription.name, limits: subscription.limits, usage });
    },
  }),
);
