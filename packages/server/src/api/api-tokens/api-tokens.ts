/** /api/v1/api-tokens: tokens for scripts and the CLI; the secret is shown once. */
import { ApiToken, CreateApiTokenBody, CreatedApiToken, ErrorResponse, IdParams } from '@vigil/protocol';
import Type from 'typebox';
import { authedContext } from '../../http/auth-hook.js';
import type { RoutePlugin } from '../types.js';

/** API token routes. */
export const apiTokenRoutes: RoutePlugin = async (app, { services }) => {
  app.get(
    '/api/v1/api-tokens',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['api-tokens'],
        summary: 'List API tokens',
        response: { 200: Type.Object({ items: Type.Array(ApiToken) }) },
      },
    },
    async (request) => ({ items: await services.auth.listApiTokens(authedContext(request).principal) }),
  );
  app.post(
    '/api/v1/api-tokens',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['api-tokens'],
        summary: 'Create an API token (role up to your own)',
        body: CreateApiTokenBody,
        response: { 201: CreatedApiToken, 403: ErrorResponse },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await services.auth.createApiToken(authedContext(request), request.body)),
  );
  app.delete(
    '/api/v1/api-tokens/:id',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['api-tokens'],
        summary: 'Revoke an API token',
        params: IdParams,
        response: { 200: ApiToken, 404: ErrorResponse },
      },
    },
    async (request) => services.auth.revokeApiToken(authedContext(request), request.params.id),
  );
};
