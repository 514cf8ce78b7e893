/** /api/v1/enrollment-tokens: tokens that let agents join an account (and a group, with tags). */
import { ErrorResponse, IdParams, Name, Tag } from '@vigil/protocol';
import Type from 'typebox';
import { authedContext } from '../../http/auth-hook.js';
import type { RoutePlugin } from '../types.js';

const TokenDto = Type.Object({
  id: Type.String(),
  group_id: Type.Union([Type.String(), Type.Null()]),
  tags: Type.Array(Type.String()),
  expires_at: Type.String(),
  max_uses: Type.Union([Type.Integer(), Type.Null()]),
  uses: Type.Integer(),
  revoked: Type.Boolean(),
  created_at: Type.String(),
});
const CreatedToken = Type.Object({
  ...TokenDto.properties,
  token: Type.String({ description: 'Shown once' }),
  install_line: Type.String(),
  server_url: Type.String(),
  ca_fingerprint: Type.String(),
  signing_public_key: Type.String(),
});
const CreateBody = Type.Object(
  {
    group: Type.Optional(Name),
    tags: Type.Optional(Type.Array(Tag, { maxItems: 32, uniqueItems: true })),
    expires_in_s: Type.Optional(Type.Integer({ minimum: 60, maximum: 365 * 86400 })),
    uses: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
  },
  { additionalProperties: false },
);

/** Enrollment token routes. */
export const enrollmentTokenRoutes: RoutePlugin = async (app, { services }) => {
  app.post(
    '/api/v1/enrollment-tokens',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['enrollment'],
        summary: 'Create an enrollment token and install line',
        body: CreateBody,
        response: { 201: CreatedToken, 404: ErrorResponse },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await services.enrollment.createToken(authedContext(request), request.body)),
  );
  app.get(
    '/api/v1/enrollment-tokens',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['enrollment'],
        summary: 'List enrollment tokens',
        response: { 200: Type.Object({ items: Type.Array(TokenDto) }) },
      },
    },
    async (request) => ({ items: await services.enrollment.listTokens(authedContext(request).principal) }),
  );
  app.delete(
    '/api/v1/enrollment-tokens/:id',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['enrollment'],
        summary: 'Revoke an enrollment token',
        params: IdParams,
        response: { 200: TokenDto, 404: ErrorResponse },
      },
    },
    async (request) => services.enrollment.revokeToken(authedContext(request), request.params.id),
  );
};
