/** /api/v1/users: the account's console users (admins manage them). */
import { CreateUserBody, ErrorResponse, IdParams, UpdateUserBody, User } from '@vigil/protocol';
import Type from 'typebox';
import { authedContext } from '../../http/auth-hook.js';
import type { RoutePlugin } from '../types.js';

/** User routes. */
export const userRoutes: RoutePlugin = async (app, { services }) => {
  app.get(
    '/api/v1/users',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['users'],
        summary: 'List users',
        response: { 200: Type.Object({ items: Type.Array(User) }) },
      },
    },
    async (request) => ({ items: await services.auth.listUsers(authedContext(request).principal) }),
  );
  app.post(
    '/api/v1/users',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['users'],
        summary: 'Create a user',
        body: CreateUserBody,
        response: { 201: User, 409: ErrorResponse },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await services.auth.createUser(authedContext(request), request.body)),
  );
  app.patch(
    '/api/v1/users/:id',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['users'],
        summary: 'Change role, disable, reset password',
        params: IdParams,
        body: UpdateUserBody,
        response: { 200: User, 404: ErrorResponse },
      },
    },
    async (request) => services.auth.updateUser(authedContext(request), request.params.id, request.body),
  );
};
