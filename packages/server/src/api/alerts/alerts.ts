/** /api/v1/alerts: the inbox (filters, pagination), one alert with its context, acknowledge and resolve. */
import {
  Alert,
  AlertListQuery,
  AlertStatusBody,
  AlertSummary,
  ErrorResponse,
  IdParams,
  Page,
} from '@vigil/protocol';
import { authedContext } from '../../http/auth-hook.js';
import type { RoutePlugin } from '../types.js';

/** Alert inbox routes. */
export const alertRoutes: RoutePlugin = async (app, { services }) => {
  app.get(
    '/api/v1/alerts',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['alerts'],
        summary: 'List alerts, newest activity first, by severity, status, device, group, rule and time',
        querystring: AlertListQuery,
        response: { 200: Page(AlertSummary), 400: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request) => services.alerts.list(authedContext(request).principal, request.query),
  );
  app.get(
    '/api/v1/alerts/:id',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['alerts'],
        summary: 'One alert with its full context',
        params: IdParams,
        response: { 200: Alert, 404: ErrorResponse },
      },
    },
    async (request) => services.alerts.get(authedContext(request).principal, request.params.id),
  );
  for (const [verb, summary] of [
    ['ack', 'Acknowledge an alert (someone is on it)'],
    ['resolve', 'Resolve an alert (a new occurrence raises a new one)'],
  ] as const) {
    app.post(
      `/api/v1/alerts/:id/${verb}`,
      {
        config: { access: 'analyst' },
        schema: {
          tags: ['alerts'],
          summary,
          params: IdParams,
          body: AlertStatusBody,
          response: { 200: Alert, 404: ErrorResponse, 409: ErrorResponse },
        },
      },
      async (request) => {
        const ctx = authedContext(request);
        const note = request.body?.note;
        return verb === 'ack'
          ? services.alerts.acknowledge(ctx, request.params.id, note)
          : services.alerts.resolve(ctx, request.params.id, note);
      },
    );
  }
};
