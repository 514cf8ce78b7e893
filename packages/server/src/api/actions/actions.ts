/**
 * /api/v1/actions: request a response action on devices, follow its run, approve or reject it
 * (two-person rule), cancel it, undo it; the catalogue; the account's approval setting.
 * Analysts may request low-risk actions and admins any (the service checks the action's risk).
 */
import {
  ActionCatalogueEntry,
  ActionDecisionBody,
  ActionRun,
  ActionRunDetail,
  ActionRunListQuery,
  ActionSettings,
  ActionUndoBody,
  CreateActionRunBody,
  ErrorResponse,
  IdParams,
  Page,
} from '@vigil/protocol';
import Type from 'typebox';
import { authedContext } from '../../http/auth-hook.js';
import type { ActionService } from '../../services/action-service.js';
import type { RoutePlugin } from '../types.js';

const errors = { 400: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse };

/** Approve, reject, cancel and undo take an optional body: a request without one means `{}`. */
async function emptyBodyIsObject(request: { body: unknown }): Promise<void> {
  if (request.body === undefined || request.body === null) request.body = {};
}

/** Action routes. */
export function actionRoutes(actions: ActionService): RoutePlugin {
  return async (app) => {
    app.get(
      '/api/v1/actions/catalogue',
      {
        config: { access: 'viewer' },
        schema: {
          tags: ['actions'],
          summary:
            'Every action: parameters, risk, timeout, dry run, undo, platforms and whether it needs approval here',
          response: { 200: Type.Object({ items: Type.Array(ActionCatalogueEntry) }) },
        },
      },
      async (request) => ({ items: await actions.catalogueFor(authedContext(request).principal) }),
    );
    app.get(
      '/api/v1/actions/settings',
      {
        config: { access: 'viewer' },
        schema: {
          tags: ['actions'],
          summary: "The account's action settings",
          response: { 200: ActionSettings },
        },
      },
      async (request) => actions.settings(authedContext(request).principal),
    );
    app.put(
      '/api/v1/actions/settings',
      {
        config: { access: 'admin' },
        schema: {
          tags: ['actions'],
          summary: 'Turn the two-person rule for high-risk and approval-marked actions on or off',
          body: ActionSettings,
          response: { 200: ActionSettings },
        },
      },
      async (request) => actions.setSettings(authedContext(request), request.body),
    );
    app.post(
      '/api/v1/actions',
      {
        config: { access: 'analyst' },
        schema: {
          tags: ['actions'],
          summary: 'Request an action run on devices (starts now, or waits for a second admin)',
          body: CreateActionRunBody,
          response: { 201: ActionRun, ...errors },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await actions.create(authedContext(request), request.body)),
    );
    app.get(
      '/api/v1/actions',
      {
        config: { access: 'viewer' },
        schema: {
          tags: ['actions'],
          summary: 'Action runs, newest first',
          querystring: ActionRunListQuery,
          response: { 200: Page(ActionRun) },
        },
      },
      async (request) => actions.list(authedContext(request).principal, request.query),
    );
    app.get(
      '/api/v1/actions/:id',
      {
        config: { access: 'viewer' },
        schema: {
          tags: ['actions'],
          summary: 'One run with every device: batch, status, result, error',
          params: IdParams,
          response: { 200: ActionRunDetail, 404: ErrorResponse },
        },
      },
      async (request) => actions.get(authedContext(request).principal, request.params.id),
    );
    const decision = (verb: 'approve' | 'reject' | 'cancel', access: 'admin' | 'analyst', summary: string) =>
      app.post(
        `/api/v1/actions/:id/${verb}`,
        {
          config: { access },
          preValidation: emptyBodyIsObject,
          schema: {
            tags: ['actions'],
            summary,
            params: IdParams,
            body: ActionDecisionBody,
            response: { 200: ActionRun, ...errors },
          },
        },
        async (request) => {
          const ctx = authedContext(request);
          const reason = request.body.reason;
          if (verb === 'approve') return actions.approve(ctx, request.params.id, reason);
          if (verb === 'reject') return actions.reject(ctx, request.params.id, reason);
          return actions.cancel(ctx, request.params.id, reason);
        },
      );
    decision('approve', 'admin', 'Approve a waiting run (a second admin; never the requester)');
    decision('reject', 'admin', 'Reject a waiting run (a second admin)');
    decision('cancel', 'analyst', 'Cancel a waiting or running run (admins any, analysts their own)');
    app.post(
      '/api/v1/actions/:id/undo',
      {
        config: { access: 'analyst' },
        preValidation: emptyBodyIsObject,
        schema: {
          tags: ['actions'],
          summary: 'Start a new run that undoes what the succeeded devices of a finished run did',
          params: IdParams,
          body: ActionUndoBody,
          response: { 201: ActionRun, ...errors },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await actions.undo(authedContext(request), request.params.id, request.body)),
    );
  };
}
