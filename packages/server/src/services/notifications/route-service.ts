/**
 * Notification routes: create, list, change, delete and test; every change audited. Secrets
 * (webhook signing secret, SMTP password) are sealed before they reach the store and never
 * returned — except a generated signing secret, shown once in the answer that created it.
 */

import { randomBytes } from 'node:crypto';
import {
  type CreateRouteBodyT,
  type NotificationChannelT,
  type NotificationRouteT,
  type NotificationRouteWithSecretT,
  type SeverityT,
  type UpdateRouteBodyT,
  VigilError,
} from '@vigil/protocol';
import type { Kysely } from 'kysely';
import { newId, nowIso } from '../../store/ids.js';
import { groupRef } from '../../store/repos/groups.js';
import { NotificationDeliveriesRepo } from '../../store/repos/notification-deliveries.js';
import { NotificationRoutesRepo, type RouteRow } from '../../store/repos/notification-routes.js';
import type { Database } from '../../store/schema.js';
import type { AuditService } from '../audit-service.js';
import type { GroupService } from '../group-service.js';
import type { Principal, RequestContext } from '../principal.js';
import { ChannelError } from './channels/channel.js';
import { CHANNELS } from './channels/index.js';
import { testMessage } from './message.js';
import { checkTarget, displayTarget } from './route-target.js';
import type { SecretBox } from './secret-box.js';

type Ctx = RequestContext & { principal: Principal };

/** Defaults of a new route. */
export const ROUTE_DEFAULTS = { min_severity: 'medium' as SeverityT, rule: '*', max_attempts: 5 };

/** A new webhook signing secret. */
function newSigningSecret(): string {
  return `vgw_${randomBytes(32).toString('base64url')}`;
}

/** Route use cases. */
export class RouteService {
  private readonly repo: NotificationRoutesRepo;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly audit: AuditService,
    private readonly groups: GroupService,
    private readonly box: SecretBox,
  ) {
    this.repo = new NotificationRoutesRepo(db);
  }

  private async dto(r: RouteRow): Promise<NotificationRouteT> {
    const group = await groupRef(this.db, r.group_id);
    return {
      id: r.id,
      name: r.name,
      channel: r.channel as NotificationChannelT,
      enabled: r.enabled === 1,
      min_severity: r.min_severity as SeverityT,
      rule: r.rule_pattern,
      group,
      target: displayTarget(JSON.parse(r.config) as Record<string, unknown>),
      has_secret: r.secret !== null,
      rate_limit:
        r.rate_limit_count === null ? null : { count: r.rate_limit_count, window_s: r.rate_limit_window_s },
      digest_window_s: r.digest_window_s,
      max_attempts: r.max_attempts,
      created_by: r.created_by,
      created_at: r.created_at,
      updated_at: r.updated_at,
    };
  }

  /** A route by id or name, or E_NOTIFICATION_ROUTE_NOT_FOUND. */
  async row(p: Principal, idOrName: string): Promise<RouteRow> {
    const r = await this.repo.find(p.accountId, idOrName);
    if (!r)
      throw new VigilError(
        'E_NOTIFICATION_ROUTE_NOT_FOUND',
        `no notification route '${idOrName}' in this account`,
      );
    return r;
  }

  /** Every route of the account. */
  async list(p: Principal): Promise<NotificationRouteT[]> {
    return Promise.all((await this.repo.list(p.accountId)).map((r) => this.dto(r)));
  }

  /** One route. */
  async get(p: Principal, idOrName: string): Promise<NotificationRouteT> {
    return this.dto(await this.row(p, idOrName));
  }

  private secretFor(channel: NotificationChannelT, input: { secret?: string; password?: string }) {
    if (input.secret && channel !== 'webhook')
      throw new VigilError(
        'E_NOTIFICATION_TARGET',
        "'secret' (the signing secret) belongs to webhook routes only",
      );
    if (input.password && channel !== 'email')
      throw new VigilError(
        'E_NOTIFICATION_TARGET',
        "'password' (the SMTP password) belongs to e-mail routes only",
      );
    if (channel === 'webhook') {
      const generated = input.secret ? undefined : newSigningSecret();
      return { plain: input.secret ?? (generated as string), generated };
    }
    if (channel === 'email' && input.password) return { plain: input.password, generated: undefined };
    return { plain: null, generated: undefined };
  }

  private checkModes(rateLimit: unknown, digest: unknown): void {
    if (rateLimit && digest)
      throw new VigilError(
        'E_VALIDATION',
        'choose a rate limit or digest mode, not both: a digest already sends one message per window',
      );
  }

  /** Create a route; a webhook route without a secret gets a generated one, returned this once. */
  async create(ctx: Ctx, input: CreateRouteBodyT): Promise<NotificationRouteWithSecretT> {
    const target = checkTarget(input.channel, input.target);
    this.checkModes(input.rate_limit, input.digest_window_s);
    if (input.channel === 'email' && input.target.username && !input.password)
      throw new VigilError('E_NOTIFICATION_TARGET', "an SMTP 'username' needs its 'password'");
    if (await this.repo.find(ctx.principal.accountId, input.name))
      throw new VigilError('E_ALREADY_EXISTS', `a notification route named '${input.name}' already exists`);
    const group = input.group ? await this.groups.getRow(ctx.principal, input.group) : undefined;
    const secret = this.secretFor(input.channel, input);
    const at = nowIso();
    const row: RouteRow = {
      id: newId(),
      account_id: ctx.principal.accountId,
      name: input.name,
      channel: input.channel,
      enabled: input.enabled === false ? 0 : 1,
      min_severity: input.min_severity ?? ROUTE_DEFAULTS.min_severity,
      rule_pattern: input.rule ?? ROUTE_DEFAULTS.rule,
      group_id: group?.id ?? null,
      config: JSON.stringify(target),
      secret: secret.plain === null ? null : this.box.seal(secret.plain),
      rate_limit_count: input.rate_limit?.count ?? null,
      rate_limit_window_s: input.rate_limit?.window_s ?? 60,
      digest_window_s: input.digest_window_s ?? null,
      max_attempts: input.max_attempts ?? ROUTE_DEFAULTS.max_attempts,
      created_by: ctx.principal.email,
      created_at: at,
      updated_at: at,
    };
    await this.repo.insert(row);
    await this.audit.record(ctx, 'notification_route.create', `notification_route:${row.id}`, 'success', {
      name: row.name,
      channel: row.channel,
      target: displayTarget(target),
      min_severity: row.min_severity,
      rule: row.rule_pattern,
      group_id: row.group_id,
      secret_generated: secret.generated !== undefined,
    });
    const dto = await this.dto(row);
    return secret.generated ? { ...dto, secret: secret.generated } : dto;
  }

  /** Change a route; `rotate_secret` makes a new signing secret, returned this once. */
  async update(ctx: Ctx, idOrName: string, input: UpdateRouteBodyT): Promise<NotificationRouteWithSecretT> {
    const r = await this.row(ctx.principal, idOrName);
    const channel = r.channel as NotificationChannelT;
    const patch: Partial<RouteRow> = { updated_at: nowIso() };
    if (input.target) patch.config = JSON.stringify(checkTarget(channel, input.target));
    if (input.enabled !== undefined) patch.enabled = input.enabled ? 1 : 0;
    if (input.min_severity) patch.min_severity = input.min_severity;
    if (input.rule) patch.rule_pattern = input.rule;
    if (input.group !== undefined)
      patch.group_id =
        input.group === null ? null : (await this.groups.getRow(ctx.principal, input.group)).id;
    if (input.rate_limit !== undefined) {
      patch.rate_limit_count = input.rate_limit?.count ?? null;
      if (input.rate_limit) patch.rate_limit_window_s = input.rate_limit.window_s;
    }
    if (input.digest_window_s !== undefined) patch.digest_window_s = input.digest_window_s;
    if (input.max_attempts !== undefined) patch.max_attempts = input.max_attempts;
    const rateLimit = patch.rate_limit_count !== undefined ? patch.rate_limit_count : r.rate_limit_count;
    const digest = patch.digest_window_s !== undefined ? patch.digest_window_s : r.digest_window_s;
    this.checkModes(rateLimit, digest);
    if (input.password !== undefined) {
      if (channel !== 'email')
        throw new VigilError(
          'E_NOTIFICATION_TARGET',
          "'password' (the SMTP password) belongs to e-mail routes only",
        );
      patch.secret = this.box.seal(input.password);
    }
    let generated: string | undefined;
    if (input.rotate_secret) {
      if (channel !== 'webhook')
        throw new VigilError('E_NOTIFICATION_TARGET', 'only webhook routes have a signing secret to rotate');
      generated = newSigningSecret();
      patch.secret = this.box.seal(generated);
    }
    await this.repo.update(r.id, patch);
    const { secret: _secret, config, ...shown } = patch;
    await this.audit.record(ctx, 'notification_route.update', `notification_route:${r.id}`, 'success', {
      ...shown,
      ...(config ? { target: displayTarget(JSON.parse(config) as Record<string, unknown>) } : {}),
      ...(input.password !== undefined ? { password_changed: true } : {}),
      ...(generated ? { secret_rotated: true } : {}),
    });
    const dto = await this.get(ctx.principal, r.id);
    return generated ? { ...dto, secret: generated } : dto;
  }

  /** Delete a route; its unsent deliveries are cancelled. */
  async delete(ctx: Ctx, idOrName: string): Promise<void> {
    const r = await this.row(ctx.principal, idOrName);
    await this.repo.delete(r.id, nowIso());
    await this.audit.record(ctx, 'notification_route.delete', `notification_route:${r.id}`, 'success', {
      name: r.name,
    });
  }

  /** The opened secret of a route (for sending only). */
  openSecret(r: RouteRow): string | null {
    return r.secret === null ? null : this.box.open(r.secret);
  }

  /** Send a test message now (one attempt, no retry); E_NOTIFICATION_FAILED says why it failed. */
  async test(ctx: Ctx, idOrName: string): Promise<{ ok: true; delivery_id: string; duration_ms: number }> {
    const r = await this.row(ctx.principal, idOrName);
    const now = new Date();
    const id = newId();
    const deliveries = new NotificationDeliveriesRepo(this.db);
    const at = nowIso(now);
    await deliveries.insert([
      {
        id,
        account_id: r.account_id,
        route_id: r.id,
        route_name: r.name,
        kind: 'test',
        alert_ids: '[]',
        status: 'sending',
        attempts: 1,
        next_attempt_at: at,
        lease_until: null,
        first_attempt_at: at,
        last_error: null,
        digest_id: null,
        created_at: at,
        sent_at: null,
      },
    ]);
    const started = Date.now();
    try {
      await CHANNELS[r.channel as NotificationChannelT](
        JSON.parse(r.config) as Record<string, unknown>,
        this.openSecret(r),
        testMessage(id, { id: r.id, name: r.name }, now),
      );
    } catch (error) {
      const message = error instanceof ChannelError ? error.message : 'the channel failed unexpectedly';
      await deliveries.update(id, { status: 'dead', last_error: message });
      await this.audit.record(ctx, 'notification_route.test', `notification_route:${r.id}`, 'failure', {
        delivery_id: id,
        error: message,
      });
      throw new VigilError('E_NOTIFICATION_FAILED', `the test message was not delivered: ${message}`, {
        cause: error,
      });
    }
    await deliveries.update(id, { status: 'sent', sent_at: nowIso() });
    await this.audit.record(ctx, 'notification_route.test', `notification_route:${r.id}`, 'success', {
      delivery_id: id,
    });
    return { ok: true, delivery_id: id, duration_ms: Date.now() - started };
  }
}
