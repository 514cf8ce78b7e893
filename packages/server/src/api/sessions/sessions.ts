/** POST/DELETE /api/v1/sessions (console login/logout), GET /api/v1/me. */
import { ErrorResponse, LoginBody, Ok, SessionInfo, WhoAmI } from '@vigil/protocol';
import { authedContext, requestContext, SESSION_COOKIE } from '../../http/auth-hook.js';
import { userDto } from '../../services/auth-service.js';
import type { RoutePlugin } from '../types.js';

/** Session routes. */
export const sessionRoutes: RoutePlugin = async (app, { services }) => {
  app.post(
    '/api/v1/sessions',
    {
      config: { access: 'public' },
      schema: {
        tags: ['auth'],
        summary: 'Log in; sets the session cookie',
        body: LoginBody,
        response: { 201: SessionInfo, 401: ErrorResponse, 429: ErrorResponse },
      },
    },
    async (request, reply) => {
      const { token, csrf, user, expiresAt } = await services.auth.login(
        requestContext(request),
        request.body.email,
        request.body.password,
      );
      const account = await services.repos.accounts.get(user.account_id);
      void reply.setCookie(SESSION_COOKIE, token, {
        httpOnly: true,
        secure: true,
        sameSite: 'strict',
        path: '/',
        expires: new Date(expiresAt),
      });
      return reply.code(201).send({
        user: userDto(user),
        account: { id: user.account_id, name: account?.name ?? '' },
        csrf_token: csrf,
        expires_at: expiresAt,
      });
    },
  );

  app.delete(
    '/api/v1/sessions',
    { config: { access: 'viewer' }, schema: { tags: ['auth'], summary: 'Log out', response: { 200: Ok } } },
    async (request, reply) => {
      await services.auth.logout(authedContext(request));
      void reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return { ok: true as const };
    },
  );

  app.get(
    '/api/v1/me',
    {
      config: { access: 'viewer' },
      schema: { tags: ['auth'], summary: 'Who am I', response: { 200: WhoAmI } },
    },
    async (request) => {
      const p = authedContext(request).principal;
      const user = await services.repos.users.byId(p.userId);
      const account = await services.repos.accounts.get(p.accountId);
      return { user: userDto(user!), account: { id: p.accountId, name: account?.name ?? '' }, via: p.kind };
    },
  );
};
