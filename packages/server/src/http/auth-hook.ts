/**
 * Authentication and role enforcement for every route. Each route must declare
 * `config: { access }` (a role, 'public' or 'agent'); registering one without it throws, so a
 * new route can never ship unprotected. Cookie-authenticated changes also need the CSRF header.
 */

import { type RouteAccess, roleAtLeast, VigilError } from '@vigil/protocol';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuthService } from '../services/auth-service.js';
import type { Principal, RequestContext } from '../services/principal.js';

/** The session cookie's name. */
export const SESSION_COOKIE = 'vigil_session';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

/** A registered route and the access it declared (read by the RBAC test). */
export interface RouteRecord {
  method: string;
  url: string;
  access: RouteAccess;
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The request facts services need for auditing. */
export function requestContext(request: FastifyRequest): RequestContext {
  return { principal: request.principal, ip: request.ip ?? null };
}

/** The request context with a principal; throws E_UNAUTHENTICATED when there is none. */
export function authedContext(request: FastifyRequest): RequestContext & { principal: Principal } {
  if (!request.principal) throw new VigilError('E_UNAUTHENTICATED', 'log in first');
  return { principal: request.principal, ip: request.ip ?? null };
}

/** Install route bookkeeping and the auth hook. Returns the live list of routes. */
export function installAuth(app: FastifyInstance, auth: AuthService): RouteRecord[] {
  const routes: RouteRecord[] = [];
  app.decorateRequest('principal', null);
  app.addHook('onRoute', (route) => {
    const access = (route.config as { access?: RouteAccess } | undefined)?.access;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (route.url.startsWith('/api/docs') || route.prefix?.startsWith('/api/docs')) {
      route.config = { ...(route.config ?? {}), access: 'public' } as typeof route.config;
      for (const m of methods) routes.push({ method: m, url: route.url, access: 'public' });
      return;
    }
    if (!access)
      throw new Error(`route ${methods.join(',')} ${route.url} declares no access role (config.access)`);
    for (const m of methods) routes.push({ method: m, url: route.url, access });
  });

  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config.access;
    if (!access || access === 'public' || access === 'agent') return;
    const header = request.headers.authorization;
    let principal: Principal | null = null;
    if (header) {
      const m = /^Bearer\s+(\S+)$/i.exec(header);
      if (!m)
        throw new VigilError('E_UNAUTHENTICATED', 'the Authorization header must be "Bearer <api token>"');
      principal = await auth.authenticateToken(m[1] as string);
      if (!principal)
        throw new VigilError('E_UNAUTHENTICATED', 'the API token is unknown, expired or revoked');
    } else {
      const cookie = request.cookies?.[SESSION_COOKIE];
      if (cookie) principal = await auth.authenticateSession(cookie);
      if (!principal) throw new VigilError('E_UNAUTHENTICATED', 'log in first (session expired or missing)');
      if (
        UNSAFE.has(request.method) &&
        !auth.csrfMatches(principal, request.headers['x-csrf-token'] as string | undefined)
      ) {
        throw new VigilError(
          'E_CSRF',
          'send the x-csrf-token header you received at login with every change',
        );
      }
    }
    if (!roleAtLeast(principal.role, access)) {
      throw new VigilError('E_FORBIDDEN', `this needs the ${access} role; you are ${principal.role}`);
    }
    request.principal = principal;
  });
  return routes;
}
