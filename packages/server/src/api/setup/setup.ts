/** POST /api/v1/setup: create the first admin while the store has no user (Fleet-style). */
import { ErrorResponse, SetupBody, User } from '@vigil/protocol';
import Type from 'typebox';
import { requestContext } from '../../http/auth-hook.js';
import { userDto } from '../../services/auth-service.js';
import type { RoutePlugin } from '../types.js';

/** Setup routes. */
export const setupRoutes: RoutePlugin = async (app, { services }) => {
  app.get(
    '/api/v1/setup',
    {
      config: { access: 'public' },
      schema: {
        tags: ['auth'],
        summary: 'Whether first-admin setup is still open',
        response: { 200: Type.Object({ needed: Type.Boolean() }) },
      },
    },
    async () => ({ needed: !(await services.auth.hasUsers()) }),
  );
  app.post(
    '/api/v1/setup',
    {
      config: { access: 'public' },
      schema: {
        tags: ['auth'],
        summary: 'Create the first admin',
        body: SetupBody,
        response: { 201: User, 409: ErrorResponse },
      },
    },
    async (request, reply) =>
      reply.code(201).send(userDto(await services.auth.setup(requestContext(request), request.body))),
  );
};
