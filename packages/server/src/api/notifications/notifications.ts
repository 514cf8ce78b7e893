/** /api/v1/notifications: routes (where alerts are sent, and how), their test, and deliveries (dead letters included). */
import {
  CreateRouteBody,
  DeliveryListQuery,
  ErrorResponse,
  Name,
  NotificationDelivery,
  NotificationRoute,
  NotificationRouteWithSecret,
  Ok,
  Page,
  RouteTestResult,
  UpdateRouteBody,
} from '@vigil/protocol';
import Type from 'typebox';
import { authedContext } from '../../http/auth-hook.js';
import type { Alerting } from '../../services/alerts/alerting.js';
import { listDeliveries } from '../../services/notifications/delivery-list.js';
import type { RoutePlugin } from '../types.js';

const RouteParams = Type.Object({ id: Name }, { additionalProperties: false });

/** Notification routes and deliveries. `:id` takes a route's id or name. */
export function notificationRoutes(alerting: Alerting): RoutePlugin {
  const svc = alerting.routes;
  return async (app, { services }) => {
    app.get(
      '/api/v1/notifications/routes',
      {
        config: { access: 'viewer' },
        schema: {
          tags: ['notifications'],
          summary: 'Notification routes (secrets are never shown)',
          response: { 200: Type.Object({ items: Type.Array(NotificationRoute) }) },
        },
      },
      async (request) => ({ items: await svc.list(authedContext(request).principal) }),
    );
    app.post(
      '/api/v1/notifications/routes',
      {
        config: { access: 'admin' },
        schema: {
          tags: ['notifications'],
          summary: 'Create a route; a webhook without a secret gets one, shown in this answer only',
          body: CreateRouteBody,
          response: { 201: NotificationRouteWithSecret, 400: ErrorResponse, 409: ErrorResponse },
        },
      },
      async (request, reply) => reply.code(201).send(await svc.create(authedContext(request), request.body)),
    );
    app.get(
      '/api/v1/notifications/routes/:id',
      {
        config: { access: 'viewer' },
        schema: {
          tags: ['notifications'],
          summary: 'One route',
          params: RouteParams,
          response: { 200: NotificationRoute, 404: ErrorResponse },
        },
      },
      async (request) => svc.get(authedContext(request).principal, request.params.id),
    );
    app.patch(
      '/api/v1/notifications/routes/:id',
      {
        config: { access: 'admin' },
        schema: {
          tags: ['notifications'],
          summary: 'Change a route; rotate_secret answers the new signing secret once',
          params: RouteParams,
          body: UpdateRouteBody,
          response: { 200: NotificationRouteWithSecret, 400: ErrorResponse, 404: ErrorResponse },
        },
      },
      async (request) => svc.update(authedContext(request), request.params.id, request.body),
    );
    app.delete(
      '/api/v1/notifications/routes/:id',
      {
        config: { access: 'admin' },
        schema: {
          tags: ['notifications'],
          summary: 'Delete a route (its unsent deliveries are cancelled)',
          params: RouteParams,
          response: { 200: Ok, 404: ErrorResponse },
        },
      },
      async (request) => {
        await svc.delete(authedContext(request), request.params.id);
        return { ok: true as const };
      },
    );
    app.post(
      '/api/v1/notifications/routes/:id/test',
      {
        config: { access: 'admin' },
        schema: {
          tags: ['notifications'],
          summary: 'Send a test message through the route now',
          params: RouteParams,
          response: { 200: RouteTestResult, 404: ErrorResponse, 502: ErrorResponse },
        },
      },
      async (request) => svc.test(authedContext(request), request.params.id),
    );
    app.get(
      '/api/v1/notifications/deliveries',
      {
        config: { access: 'viewer' },
        schema: {
          tags: ['notifications'],
          summary: 'Deliveries, newest first; status=dead lists the dead letters',
          querystring: DeliveryListQuery,
          response: { 200: Page(NotificationDelivery) },
        },
      },
      async (request) => listDeliveries(services.store.db, authedContext(request).principal, request.query),
    );
  };
}
