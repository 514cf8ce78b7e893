/**
 * Live queries: validate SQL against the table declarations (a typo costs one round trip, not
 * 10k), resolve targets, sign one campaign command for all of them, collect results as agents
 * answer, stream progress to followers, and close the campaign with a summary at its deadline.
 */
import { EventEmitter } from 'node:events';
import { loadDeclarations, type TableDeclaration, validateSql } from '@vigil/agent';
import { QueryResultBody, type QueryResultBodyT, type TargetsT, VigilError } from '@vigil/protocol';
import type { AgentHub } from '../hub/hub.js';
import { newId, nowIso } from '../store/ids.js';
import { answerKey, type CampaignAnswer, storeAnswers } from '../store/repos/campaign-answers.js';
import type { Services } from './index.js';
import { CampaignCache } from './live-query-campaigns.js';
import type { Principal, RequestContext } from './principal.js';
import { resolveTargets } from './targets.js';

/** Per-device status of a campaign. */
export type CampaignDeviceStatus = 'pending' | 'running' | 'done' | 'error' | 'offline' | 'timeout';

/** The closing numbers of a campaign. */
export interface CampaignSummary {
  targeted: number;
  answered: number;
  errors: number;
  offline: number;
  timeout: number;
  rows: number;
  latency_p50_ms: number | null;
  latency_p99_ms: number | null;
}

/** Events a follower of a campaign receives. */
export type CampaignEvent =
  | { type: 'status'; device_id: string; hostname: string; status: CampaignDeviceStatus; error?: string }
  | {
      type: 'rows';
      device_id: string;
      hostname: string;
      columns: string[];
      rows: unknown[][];
      warnings: string[];
      truncated: boolean;
    }
  | { type: 'summary'; summary: CampaignSummary };

/** Options of a new campaign. */
export interface LiveQueryInput {
  sql: string;
  targets: TargetsT;
  timeout_s?: number;
  max_rows?: number;
  /** Deliver to agents that come back online within this many seconds (default: not at all). */
  offline_grace_s?: number;
  saved_query_id?: string;
}

function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? null;
}

/** Live query campaigns. */
export class LiveQueryService {
  readonly events = new EventEmitter();
  private declarations: TableDeclaration[] | undefined;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /**
   * Devices still expected to answer, per running campaign. Counting them down per answer keeps
   * an answer O(1); counting rows in the store per answer made a 10k-device campaign quadratic.
   * The store stays the authority: a campaign closes only once the store agrees none is open.
   */
  private readonly open = new Map<string, number>();
  /** Account and start of running campaigns, so an answer does not read the campaign row. */
  private readonly campaigns = new CampaignCache();
  /** Hostnames of followed campaigns' devices, read once per campaign instead of once per answer. */
  private readonly hostnames = new Map<string, Promise<Map<string, string>>>();

  constructor(
    private readonly services: Services,
    private readonly hub: AgentHub,
  ) {
    this.events.setMaxListeners(0);
    // Exactly once without a claim row: an answer is stored only while its device's row is still
    // open, so a re-sent answer (lost ack) updates nothing and is not reported as fresh.
    hub.ingestor.registerIdempotent('query.result', QueryResultBody, async (trx, entries) => {
      const now = Date.now();
      const updatedAt = nowIso(new Date(now));
      const answers: CampaignAnswer[] = [];
      const keys: Array<string | undefined> = [];
      const seen = new Set<string>();
      for (const { source, body } of entries) {
        const b = body as QueryResultBodyT;
        const campaign = b.campaign ? await this.campaigns.get(trx, b.campaign) : undefined;
        const key = b.campaign ? answerKey(b.campaign, source.deviceId) : '';
        // The first answer of a device in a group counts, as if they had been stored one by one.
        if (!b.campaign || !campaign || campaign.accountId !== source.accountId || seen.has(key)) {
          keys.push(undefined);
          continue;
        }
        seen.add(key);
        keys.push(key);
        answers.push({
          campaignId: b.campaign,
          deviceId: source.deviceId,
          status: b.status,
          error: b.error ? `${b.error.code}: ${b.error.message}` : null,
          rowCount: b.rows.length,
          latencyMs: now - campaign.createdAtMs,
          columns: JSON.stringify(b.columns),
          rows: JSON.stringify(b.rows),
          warnings: JSON.stringify(b.warnings),
          truncated: b.truncated,
          updatedAt,
        });
      }
      const stored = answers.length > 0 ? await storeAnswers(trx, answers) : new Set<string>();
      return keys.map((k) => k !== undefined && stored.has(k));
    });
    hub.ingestor.on('query.result', (source: { deviceId: string }, body: QueryResultBodyT) => {
      if (body.campaign) void this.onResult(body.campaign, source.deviceId, body);
    });
  }

  /** The table declarations the server validates against (loaded once). */
  schema(): TableDeclaration[] {
    if (!this.declarations) this.declarations = loadDeclarations();
    return this.declarations;
  }

  /** Start a campaign; returns at once with its id while results stream in. */
  async start(
    ctx: RequestContext & { principal: Principal },
    input: LiveQueryInput,
  ): Promise<{ id: string; targeted: number; online: number; offline: number; deadline_at: string }> {
    validateSql(input.sql, this.schema());
    const deviceIds = await resolveTargets(
      this.services.store,
      this.services.repos,
      ctx.principal.accountId,
      input.targets,
    );
    if (deviceIds.length === 0) throw new VigilError('E_VALIDATION', 'the targets match no device');
    const timeoutMs = (input.timeout_s ?? 30) * 1000;
    const graceMs = (input.offline_grace_s ?? 0) * 1000;
    const id = newId();
    const createdAt = new Date();
    const deadline = new Date(createdAt.getTime() + Math.max(timeoutMs, graceMs));
    const db = this.services.store.db;
    await db.transaction().execute(async (trx) => {
      await trx
        .insertInto('query_campaigns')
        .values({
          id,
          account_id: ctx.principal.accountId,
          sql: input.sql,
          command_id: '',
          created_by: ctx.principal.userId,
          created_at: nowIso(createdAt),
          deadline_at: nowIso(deadline),
          status: 'running',
          targeted: deviceIds.length,
          summary: null,
          saved_query_id: input.saved_query_id ?? null,
        })
        .execute();
      for (let i = 0; i < deviceIds.length; i += 500) {
        await trx
          .insertInto('query_campaign_devices')
          .values(
            deviceIds.slice(i, i + 500).map((device_id) => ({
              campaign_id: id,
              device_id,
              account_id: ctx.principal.accountId,
              status: 'pending',
              error: null,
              row_count: 0,
              latency_ms: null,
              columns: null,
              rows: null,
              warnings: null,
              truncated: 0,
              updated_at: nowIso(),
            })),
          )
          .execute();
      }
    });
    this.campaigns.remember(id, {
      accountId: ctx.principal.accountId,
      createdAtMs: createdAt.getTime(),
      deadlineMs: deadline.getTime(),
    });
    const online = deviceIds.filter((d) => this.hub.isConnected(d));
    const offline = deviceIds.filter((d) => !this.hub.isConnected(d));
    // The agent stops a bit before the deadline, so its timeout error arrives before the campaign closes.
    const body = {
      sql: input.sql,
      timeout_ms: Math.max(100, Math.min(Math.round(timeoutMs * 0.8), timeoutMs - 1000)),
      max_rows: input.max_rows ?? 10_000,
    };
    // Offline agents get the command only if they may still answer within the grace period.
    const recipients = graceMs > 0 ? deviceIds : online;
    const delivery = await this.hub.sendCampaignWithId(
      id,
      ctx.principal.accountId,
      recipients,
      'query.run',
      body,
      Math.max(timeoutMs, graceMs),
      // Answers go to the campaign's rows, not the command's: agents need not wait for those.
      { answersElsewhere: true },
    );
    await db
      .updateTable('query_campaigns')
      .set({ command_id: delivery.commandId })
      .where('id', '=', id)
      .execute();
    if (graceMs === 0 && offline.length > 0) {
      for (let i = 0; i < offline.length; i += 500) {
        await db
          .updateTable('query_campaign_devices')
          .set({ status: 'offline', updated_at: nowIso() })
          .where('campaign_id', '=', id)
          .where('device_id', 'in', offline.slice(i, i + 500))
          .execute();
      }
    }
    await db
      .updateTable('query_campaign_devices')
      .set({ status: 'running' })
      .where('campaign_id', '=', id)
      .where('status', '=', 'pending')
      .where('device_id', 'in', delivery.live.length ? delivery.live : [''])
      .execute();
    await this.services.audit.record(ctx, 'query.live', `campaign:${id}`, 'success', {
      sql: input.sql,
      targeted: deviceIds.length,
    });
    const timer = setTimeout(
      () =>
        void this.finish(id).catch((e: unknown) =>
          this.services.log.error({ err: e }, 'closing campaign failed'),
        ),
      deadline.getTime() - Date.now(),
    );
    timer.unref();
    this.timers.set(id, timer);
    this.open.set(id, deviceIds.length - (graceMs === 0 ? offline.length : 0));
    return {
      id,
      targeted: deviceIds.length,
      online: online.length,
      offline: offline.length,
      deadline_at: nowIso(deadline),
    };
  }

  /** The campaign row of the caller's account. */
  async get(p: Principal, id: string) {
    const c = await this.services.store.db
      .selectFrom('query_campaigns')
      .selectAll()
      .where('id', '=', id)
      .where('account_id', '=', p.accountId)
      .executeTakeFirst();
    if (!c) throw new VigilError('E_NOT_FOUND', `no live query ${id} in this account`);
    return c;
  }

  /** Per-device rows of a campaign with hostnames (for replay to late followers and export). */
  async deviceRows(campaignId: string) {
    return this.services.store.db
      .selectFrom('query_campaign_devices')
      .innerJoin('devices', 'devices.id', 'query_campaign_devices.device_id')
      .select([
        'query_campaign_devices.device_id',
        'devices.hostname',
        'query_campaign_devices.status',
        'query_campaign_devices.error',
        'query_campaign_devices.columns',
        'query_campaign_devices.rows',
        'query_campaign_devices.warnings',
        'query_campaign_devices.truncated',
        'query_campaign_devices.latency_ms',
        'query_campaign_devices.row_count',
      ])
      .where('campaign_id', '=', campaignId)
      .orderBy('devices.hostname')
      .execute();
  }

  /** Compute the summary from the per-device rows. */
  async summarize(campaignId: string): Promise<CampaignSummary> {
    // Only the small columns: the summary is on the way to closing every campaign, and reading
    // every device's rows for it cost more than the count.
    const rows = await this.services.store.db
      .selectFrom('query_campaign_devices')
      .innerJoin('devices', 'devices.id', 'query_campaign_devices.device_id')
      .select([
        'query_campaign_devices.status',
        'query_campaign_devices.latency_ms',
        'query_campaign_devices.row_count',
      ])
      .where('campaign_id', '=', campaignId)
      .execute();
    const latencies = rows
      .filter((r) => r.latency_ms !== null && (r.status === 'done' || r.status === 'error'))
      .map((r) => r.latency_ms as number)
      .sort((a, b) => a - b);
    return {
      targeted: rows.length,
      answered: rows.filter((r) => r.status === 'done').length,
      errors: rows.filter((r) => r.status === 'error').length,
      offline: rows.filter((r) => r.status === 'offline').length,
      timeout: rows.filter((r) => r.status === 'timeout').length,
      rows: rows.reduce((n, r) => n + r.row_count, 0),
      latency_p50_ms: percentile(latencies, 50),
      latency_p99_ms: percentile(latencies, 99),
    };
  }

  /** Close a campaign: unanswered devices time out; followers get the summary. */
  async finish(campaignId: string): Promise<CampaignSummary> {
    clearTimeout(this.timers.get(campaignId));
    this.timers.delete(campaignId);
    this.open.delete(campaignId);
    this.campaigns.forget(campaignId);
    const db = this.services.store.db;
    const c = await db
      .selectFrom('query_campaigns')
      .select(['status'])
      .where('id', '=', campaignId)
      .executeTakeFirst();
    if (c?.status === 'done') return this.summarize(campaignId);
    const late = await db
      .selectFrom('query_campaign_devices')
      .select('device_id')
      .where('campaign_id', '=', campaignId)
      .where('status', 'in', ['pending', 'running'])
      .execute();
    await db
      .updateTable('query_campaign_devices')
      .set({ status: 'timeout', error: 'no answer before the deadline', updated_at: nowIso() })
      .where('campaign_id', '=', campaignId)
      .where('status', 'in', ['pending', 'running'])
      .execute();
    const summary = await this.summarize(campaignId);
    await db
      .updateTable('query_campaigns')
      .set({ status: 'done', summary: JSON.stringify(summary) })
      .where('id', '=', campaignId)
      .execute();
    for (const l of late) {
      this.emit(campaignId, {
        type: 'status',
        device_id: l.device_id,
        hostname: await this.hostnameOf(campaignId, l.device_id),
        status: 'timeout',
        error: 'no answer before the deadline',
      });
    }
    this.emit(campaignId, { type: 'summary', summary });
    this.hostnames.delete(campaignId);
    return summary;
  }

  /** A device's hostname for a follower's event: the campaign's hostnames are read on first use. */
  private async hostnameOf(campaignId: string, deviceId: string): Promise<string> {
    let names = this.hostnames.get(campaignId);
    if (!names) {
      // Bounded: campaigns closed on another node are never deleted here.
      if (this.hostnames.size >= 1000) this.hostnames.clear();
      names = this.readHostnames(campaignId);
      this.hostnames.set(campaignId, names);
      names.catch(() => this.hostnames.delete(campaignId));
    }
    return (await names).get(deviceId) ?? '';
  }

  private async readHostnames(campaignId: string): Promise<Map<string, string>> {
    const rows = await this.services.store.db
      .selectFrom('query_campaign_devices')
      .innerJoin('devices', 'devices.id', 'query_campaign_devices.device_id')
      .select(['query_campaign_devices.device_id', 'devices.hostname'])
      .where('campaign_id', '=', campaignId)
      .execute();
    return new Map(rows.map((r) => [r.device_id, r.hostname]));
  }

  private emit(campaignId: string, event: CampaignEvent): void {
    this.events.emit(campaignId, event);
  }

  private async onResult(campaignId: string, deviceId: string, body: QueryResultBodyT): Promise<void> {
    // Followers replay what they missed from the store, so events are only built for live ones.
    if (this.events.listenerCount(campaignId) > 0) {
      const hostname = await this.hostnameOf(campaignId, deviceId);
      if (body.status === 'done')
        this.emit(campaignId, {
          type: 'rows',
          device_id: deviceId,
          hostname,
          columns: body.columns,
          rows: body.rows,
          warnings: body.warnings,
          truncated: body.truncated,
        });
      this.emit(campaignId, {
        type: 'status',
        device_id: deviceId,
        hostname,
        status: body.status,
        ...(body.error ? { error: `${body.error.code}: ${body.error.message}` } : {}),
      });
    }
    const left = this.open.get(campaignId);
    if (left !== undefined && left > 1) {
      this.open.set(campaignId, left - 1);
      return;
    }
    // The last expected answer, or a campaign started before a restart: ask the store.
    const open = await this.services.store.db
      .selectFrom('query_campaign_devices')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('campaign_id', '=', campaignId)
      .where('status', 'in', ['pending', 'running'])
      .executeTakeFirstOrThrow();
    if (Number(open.n) === 0) await this.finish(campaignId);
    else if (left !== undefined) this.open.set(campaignId, Number(open.n));
  }

  /** Stop every pending timer (server shutdown). */
  stop(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.open.clear();
    this.hostnames.clear();
  }
}
