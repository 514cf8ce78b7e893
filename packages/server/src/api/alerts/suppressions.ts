/** /api/v1/alerts/suppressions: mute alerts of a rule on a device, a group or everywhere, until an expiry. */
import {
  CreateSuppressionBody,
  ErrorResponse,
  IdParams,
  Ok,
  Suppression,
  SuppressionListQuery,
  UpdateSuppressionBody,
} from '@vigil/protocol';
import Type from 'typebox';
import { authedContext } from '../../http/auth-hook.js';
import type { Alerting } from '../../services/alerts/alerting.js';
import type { RoutePlugin } from '../types.js';

/** Suppression rule routes. */
export function suppressionRoutes(alerting: Alerting): RoutePlugin {
  const svc = alerting.suppressions;
  return async (app) => {
    app.get(
      '/api/v1/alerts/suppressions',
      {
        config: { access: 'viewer' },
        schema: {
          tags: ['alerts'],
          summary: 'Suppression rules (active ones unless include_expired)',
          querystring: SuppressionListQuery,
          response: { 200: Type.Object({ items: Type.Array(Suppression) }) },
        },
      },
      async (request) => ({
        items: await svc.list(authedContext(request).principal, request.query.include_expired ?? false),
      }),
    );
    app.post(
      '/api/v1/alerts/suppressions',
      {
        config: { access: 'admin' },
        schema: {
          tags: ['alerts'],
          summary: 'Create a suppression rule',
          body: CreateSuppressionBody,
          response: { 201: Suppression, 400: ErrorResponse, 404: ErrorResponse },
        },
      },
      async (request, reply) => reply.code(201).send(await svc.create(authedContext(request), request.body)),
    );
    app.get(
      '/api/v1/alerts/suppressions/:id',
      {
        config: { access: 'viewer' },
        schema: {
          tags: ['alerts'],
          summary: 'One suppression rule',
          params: IdParams,
          response: { 200: Suppression, 404: ErrorResponse },
        },
      },
      async (request) => svc.get(authedContext(request).principal, request.params.id),
    );
    app.patch(
      '/api/v1/alerts/suppressions/:id',
      {
        config: { access: 'admin' },
        schema: {
          tags: ['alerts'],
          summary: "Change a suppression rule's reason or expiry",
          params: IdParams,
          body: UpdateSuppressionBody,
          response: { 200: Suppression, 404: ErrorResponse },
        },
      },
      async (request) => svc.update(authedContext(request), request.params.id, request.body),
    );
    app.delete(
      '/api/v1/alerts/suppressions/:id',
      {
        config: { access: 'admin' },
        schema: {
          tags: ['alerts'],
          summary: 'Delete a suppression rule',
          params: IdParams,
          response: { 200: Ok, 404: ErrorResponse },
        },
      },
      async (request) => {
        await svc.delete(authedContext(request), request.params.id);
        return { ok: true as const };
      },
    );
  };
}
