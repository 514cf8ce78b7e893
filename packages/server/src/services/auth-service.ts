/**
 * Accounts, users, sessions and API tokens: first-admin setup, login with rate limits,
 * authentication of each request, and user/token management. Secrets are random, shown once,
 * and stored only as hashes; passwords are argon2id.
 */
import {
  type ApiTokenT,
  type CreateApiTokenBodyT,
  type CreateUserBodyT,
  isUserRole,
  type UpdateUserBodyT,
  type UserRole,
  type UserT,
  VigilError,
} from '@vigil/protocol';
import { newId, nowIso } from '../store/ids.js';
import type { ApiTokenRow } from '../store/repos/api-tokens.js';
import type { Repos } from '../store/repos/index.js';
import type { UserRow } from '../store/repos/users.js';
import type { AuditService } from './audit-service.js';
import type { Principal, RequestContext } from './principal.js';
import { RateLimiter } from './rate-limiter.js';
import { constantTimeEqual, hashPassword, newSecret, sha256Hex, verifyPassword } from './secrets.js';

const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

/** Map a stored user to its API shape (never the hash). */
export function userDto(u: UserRow): UserT {
  return {
    id: u.id,
    account_id: u.account_id,
    email: u.email,
    name: u.name,
    role: isUserRole(u.role) ? u.role : 'viewer',
    created_at: u.created_at,
    disabled: u.disabled === 1,
  };
}

/** Map a stored token to its API shape (never the hash). */
export function tokenDto(t: ApiTokenRow): ApiTokenT {
  return {
    id: t.id,
    name: t.name,
    role: isUserRole(t.role) ? t.role : 'viewer',
    user_id: t.user_id,
    created_at: t.created_at,
    last_used_at: t.last_used_at,
    expires_at: t.expires_at,
    revoked: t.revoked_at !== null,
  };
}

/** Authentication and identity management. */
export class AuthService {
  /** Login attempts per source IP: 20 a minute. */
  readonly ipLimiter = new RateLimiter(20, 60_000);
  /** Failed logins per e-mail: 5 in 15 minutes. */
  readonly emailLimiter = new RateLimiter(5, 15 * 60_000);

  constructor(
    private readonly repos: Repos,
    private readonly audit: AuditService,
  ) {}

  /** Whether any user exists (setup is allowed only before the first). */
  async hasUsers(): Promise<boolean> {
    return (await this.repos.users.count()) > 0;
  }

  /** Create the first account and its admin; refused once any user exists. */
  async setup(
    ctx: RequestContext,
    input: { email: string; password: string; name?: string; account_name?: string },
  ): Promise<UserRow> {
    if (await this.hasUsers()) {
      throw new VigilError(
        'E_SETUP_DONE',
        'setup is already done: log in as an existing admin and create users from there',
      );
    }
    const account = await this.repos.accounts.create(input.account_name ?? 'Default');
    const user = await this.repos.users.create({
      account_id: account.id,
      email: input.email,
      name: input.name ?? input.email,
      role: 'admin',
      password_hash: await hashPassword(input.password),
    });
    await this.audit.record(
      { ...ctx, principal: null },
      'setup.create_admin',
      `user:${user.id}`,
      'success',
      { email: user.email },
      account.id,
    );
    return user;
  }

  /** Create an extra account with its admin (used by tests and multi-tenant operators). */
  async createAccountWithAdmin(accountName: string, email: string, password: string): Promise<UserRow> {
    const account = await this.repos.accounts.create(accountName);
    return this.repos.users.create({
      account_id: account.id,
      email,
      name: email,
      role: 'admin',
      password_hash: await hashPassword(password),
    });
  }

  /** Check a password and open a session; rate-limited per IP and per e-mail. */
  async login(
    ctx: RequestContext,
    email: string,
    password: string,
  ): Promise<{ token: string; csrf: string; user: UserRow; expiresAt: string }> {
    const ipKey = `ip:${ctx.ip ?? 'unknown'}`;
    const emailKey = `email:${email.toLowerCase()}`;
    this.ipLimiter.assertAllowed(ipKey, 'login attempts from this address');
    this.emailLimiter.assertAllowed(emailKey, 'failed logins for this account');
    this.ipLimiter.hit(ipKey);
    const user = await this.repos.users.byEmail(email);
    const ok = await verifyPassword(user?.password_hash, password);
    if (!ok || !user || user.disabled === 1) {
      this.emailLimiter.hit(emailKey);
      await this.audit.record(
        ctx,
        'session.create',
        `email:${email.toLowerCase()}`,
        'failure',
        { reason: !ok ? 'bad credentials' : 'disabled' },
        user?.account_id ?? null,
      );
      throw new VigilError('E_BAD_CREDENTIALS', 'the e-mail or password is wrong, or the user is disabled');
    }
    this.emailLimiter.reset(emailKey);
    const token = newSecret('vgs');
    const csrf = newSecret('vgc');
    const expiresAt = nowIso(new Date(Date.now() + SESSION_TTL_MS));
    const sessionId = newId();
    await this.repos.sessions.create({
      id: sessionId,
      token_hash: sha256Hex(token),
      csrf_hash: sha256Hex(csrf),
      user_id: user.id,
      account_id: user.account_id,
      ip: ctx.ip,
      created_at: nowIso(),
      expires_at: expiresAt,
    });
    await this.audit.record(
      {
        ...ctx,
        principal: {
          kind: 'session',
          userId: user.id,
          accountId: user.account_id,
          role: user.role as UserRole,
          email: user.email,
          sessionId,
        },
      },
      'session.create',
      `user:${user.id}`,
      'success',
    );
    return { token, csrf, user, expiresAt };
  }

  /** End the caller's session. */
  async logout(ctx: RequestContext): Promise<void> {
    if (ctx.principal?.sessionId) await this.repos.sessions.delete(ctx.principal.sessionId);
    await this.audit.record(
      ctx,
      'session.delete',
      ctx.principal ? `user:${ctx.principal.userId}` : null,
      'success',
    );
  }

  /** Resolve a session cookie value to a principal, or null. */
  async authenticateSession(token: string): Promise<Principal | null> {
    const session = await this.repos.sessions.byTokenHash(sha256Hex(token));
    if (!session || !constantTimeEqual(session.token_hash, sha256Hex(token))) return null;
    const user = await this.repos.users.byId(session.user_id);
    if (!user || user.disabled === 1 || !isUserRole(user.role)) return null;
    return {
      kind: 'session',
      userId: user.id,
      accountId: user.account_id,
      role: user.role,
      email: user.email,
      sessionId: session.id,
      csrfHash: session.csrf_hash,
    };
  }

  /** Resolve a bearer API token to a principal, or null. The token's role is capped by its owner's. */
  async authenticateToken(secret: string): Promise<Principal | null> {
    const hash = sha256Hex(secret);
    const token = await this.repos.apiTokens.byHash(hash);
    if (!token || !constantTimeEqual(token.token_hash, hash)) return null;
    const user = await this.repos.users.byId(token.user_id);
    if (!user || user.disabled === 1 || !isUserRole(user.role) || !isUserRole(token.role)) return null;
    await this.repos.apiTokens.touch(token.id, token.last_used_at);
    const rank = { viewer: 1, analyst: 2, admin: 3 } as const;
    const role = rank[token.role] <= rank[user.role] ? token.role : user.role;
    return {
      kind: 'token',
      userId: user.id,
      accountId: user.account_id,
      role,
      email: user.email,
      tokenId: token.id,
    };
  }

  /** Whether a CSRF header value belongs to the session. */
  csrfMatches(principal: Principal, header: string | undefined): boolean {
    if (!principal.csrfHash || !header) return false;
    return constantTimeEqual(principal.csrfHash, sha256Hex(header));
  }

  /** Users of the caller's account. */
  async listUsers(p: Principal): Promise<UserT[]> {
    return (await this.repos.users.list(p.accountId)).map(userDto);
  }

  /** Create a user in the caller's account. */
  async createUser(ctx: RequestContext & { principal: Principal }, input: CreateUserBodyT): Promise<UserT> {
    if (await this.repos.users.byEmail(input.email)) {
      await this.audit.record(ctx, 'user.create', `email:${input.email.toLowerCase()}`, 'failure', {
        reason: 'exists',
      });
      throw new VigilError(
        'E_ALREADY_EXISTS',
        `a user with e-mail ${input.email.toLowerCase()} already exists`,
      );
    }
    const user = await this.repos.users.create({
      account_id: ctx.principal.accountId,
      email: input.email,
      name: input.name ?? input.email,
      role: input.role,
      password_hash: await hashPassword(input.password),
    });
    await this.audit.record(ctx, 'user.create', `user:${user.id}`, 'success', {
      email: user.email,
      role: user.role,
    });
    return userDto(user);
  }

  /** Change a user's role, disabled flag or password; the last active admin stays an admin. */
  async updateUser(
    ctx: RequestContext & { principal: Principal },
    id: string,
    patch: UpdateUserBodyT,
  ): Promise<UserT> {
    const user = await this.repos.users.get(ctx.principal.accountId, id);
    if (!user) throw new VigilError('E_USER_NOT_FOUND', `no user ${id} in this account`);
    const losesAdmin =
      user.role === 'admin' &&
      user.disabled === 0 &&
      ((patch.role && patch.role !== 'admin') || patch.disabled === true);
    if (losesAdmin && (await this.repos.users.activeAdmins(user.account_id)) <= 1) {
      throw new VigilError(
        'E_CONFLICT',
        'this is the last active admin of the account; make another admin first',
      );
    }
    await this.repos.users.update(user.account_id, id, {
      ...(patch.role ? { role: patch.role } : {}),
      ...(patch.disabled === undefined ? {} : { disabled: patch.disabled ? 1 : 0 }),
      ...(patch.password ? { password_hash: await hashPassword(patch.password) } : {}),
    });
    if (patch.password || patch.disabled) await this.repos.sessions.deleteForUser(id);
    await this.audit.record(ctx, 'user.update', `user:${id}`, 'success', {
      ...(patch.role ? { role: patch.role } : {}),
      ...(patch.disabled === undefined ? {} : { disabled: patch.disabled }),
      ...(patch.password ? { password_changed: true } : {}),
    });
    return userDto((await this.repos.users.get(user.account_id, id)) as UserRow);
  }

  /** Create an API token for the caller; the secret is returned once. Its role cannot exceed the caller's. */
  async createApiToken(
    ctx: RequestContext & { principal: Principal },
    input: CreateApiTokenBodyT,
  ): Promise<{ token: ApiTokenT; secret: string }> {
    const rank = { viewer: 1, analyst: 2, admin: 3 } as const;
    if (rank[input.role] > rank[ctx.principal.role]) {
      throw new VigilError(
        'E_FORBIDDEN',
        `you cannot create a token with role ${input.role}: your own role is ${ctx.principal.role}`,
      );
    }
    const secret = newSecret('vgt');
    const row: ApiTokenRow = {
      id: newId(),
      account_id: ctx.principal.accountId,
      user_id: ctx.principal.userId,
      name: input.name,
      role: input.role,
      token_hash: sha256Hex(secret),
      created_at: nowIso(),
      last_used_at: null,
      expires_at: input.expires_in_days
        ? nowIso(new Date(Date.now() + input.expires_in_days * 86_400_000))
        : null,
      revoked_at: null,
    };
    await this.repos.apiTokens.create(row);
    await this.audit.record(ctx, 'api_token.create', `token:${row.id}`, 'success', {
      name: row.name,
      role: row.role,
    });
    return { token: tokenDto(row), secret };
  }

  /** API tokens of the caller's account. */
  async listApiTokens(p: Principal): Promise<ApiTokenT[]> {
    return (await this.repos.apiTokens.list(p.accountId)).map(tokenDto);
  }

  /** Revoke a token of the caller's account. */
  async revokeApiToken(ctx: RequestContext & { principal: Principal }, id: string): Promise<ApiTokenT> {
    const token = await this.repos.apiTokens.get(ctx.principal.accountId, id);
    if (!token) throw new VigilError('E_TOKEN_NOT_FOUND', `no API token ${id} in this account`);
    await this.repos.apiTokens.revoke(ctx.principal.accountId, id);
    await this.audit.record(ctx, 'api_token.revoke', `token:${id}`, 'success', { name: token.name });
    return tokenDto((await this.repos.apiTokens.get(ctx.principal.accountId, id)) as ApiTokenRow);
  }
}
