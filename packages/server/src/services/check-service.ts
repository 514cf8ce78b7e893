/**
 * Detection checks on the server: the catalogue (definitions/checks), each device's rule set
 * (the checks whose applies_when matches its fingerprint, with account- and group-level
 * overrides of parameters and enable/disable), pushed signed and re-pushed when the fingerprint,
 * the library or an override changes; results ingested as state changes; alerts once per
 * pass→fail change; compliance scores (weighted by severity) with history.
 */
import { createHash } from 'node:crypto';
import { appliesTo, effectiveParams, loadChecks, renderSql } from '@vigil/agent';
import {
  type CheckDefinitionT,
  CheckResultsBody,
  type CheckResultsBodyT,
  type ChecksSetBodyT,
  type ChecksSetDeflatedBodyT,
  deflateJson,
  type RuleSetCheckT,
  type SeverityT,
  type TargetsT,
  VigilError,
} from '@vigil/protocol';
import type { Kysely } from 'kysely';
import type { AgentHub } from '../hub/hub.js';
import { newId, nowIso } from '../store/ids.js';
import type { Database } from '../store/schema.js';
import { BoundedCache } from './bounded-cache.js';
import type { Services } from './index.js';
import type { Principal, RequestContext } from './principal.js';
import { resolveTargets } from './targets.js';

type Ctx = RequestContext & { principal: Principal };

/** Severity weights of the compliance score. */
export const SEVERITY_WEIGHT: Record<SeverityT, number> = {
  info: 0,
  low: 1,
  medium: 2,
  high: 4,
  critical: 8,
};
/** A failing check keeps one alert while it fails (it is raised on pass→fail only). */
export const CHECK_ALERT_WINDOW_S = 365 * 86_400;
/** Default schedule of a check on the agent. */
export const DEFAULT_CHECK_INTERVAL_S = 3600;
/** How often the agent sends its full state besides the changes. */
export const FULL_STATE_INTERVAL_S = 6 * 3600;

/**
 * Distinct rule sets kept rendered (~100 KB each). Devices with the same platform, fingerprint
 * and overrides get the same set: rendering all checks again for each of them was ~1 ms of
 * server CPU per connecting agent (bench/capacity.bench.ts).
 */
const RENDERED_SETS_KEPT = 64;

/** One override as stored and shown. */
export interface CheckOverride {
  group_id: string | null;
  check: string;
  enabled: boolean | null;
  params: Record<string, unknown>;
}

/** Check use cases. */
export class CheckService {
  private library: CheckDefinitionT[] | undefined;
  /** Rule sets by what decides them (the catalogue never changes while the server runs); shared, never mutated. */
  private readonly rendered = new BoundedCache<string, ChecksSetBodyT>(RENDERED_SETS_KEPT);
  /** Each rendered set deflated once, for the agents that accept it; dropped with the set. */
  private readonly deflated = new WeakMap<ChecksSetBodyT, string>();

  constructor(
    readonly services: Services,
    private readonly hub: AgentHub,
    private readonly checksDir?: string,
  ) {
    hub.ingestor.register('check.results', CheckResultsBody, async (trx, source, body) =>
      this.ingest(trx, source.accountId, source.deviceId, body as CheckResultsBodyT),
    );
    hub.onAttach((deviceId, accountId, held) =>
      this.pushRuleSet(accountId, deviceId, held.checks_set ?? null),
    );
    hub.onFactsChanged((deviceId, accountId) => this.pushRuleSet(accountId, deviceId));
  }

  /** The shipped Linux-runnable check library (loaded once). */
  catalogue(): CheckDefinitionT[] {
    if (!this.library) this.library = this.checksDir ? loadChecks(this.checksDir) : loadChecks();
    return this.library;
  }

  /** One check by name. */
  check(name: string): CheckDefinitionT {
    const c = this.catalogue().find((x) => x.name === name);
    if (!c) throw new VigilError('E_NOT_FOUND', `no check named ${name}`);
    return c;
  }

  /** The overrides that apply to a device: account-wide first, then each of its groups (later wins). */
  private async overridesFor(
    accountId: string,
    deviceId: string,
  ): Promise<Map<string, { enabled: boolean | null; params: Record<string, unknown> }>> {
    const db = this.services.store.db;
    const groupIds = (
      await db.selectFrom('group_members').select('group_id').where('device_id', '=', deviceId).execute()
    ).map((r) => r.group_id);
    const rows = await db
      .selectFrom('check_overrides')
      .selectAll()
      .where('account_id', '=', accountId)
      .where((eb) =>
        eb.or([eb('group_id', '=', ''), ...(groupIds.length ? [eb('group_id', 'in', groupIds)] : [])]),
      )
      .orderBy('group_id')
      .orderBy('updated_at')
      .execute();
    const out = new Map<string, { enabled: boolean | null; params: Record<string, unknown> }>();
    for (const r of rows.sort((a, b) => (a.group_id === '' ? -1 : 0) - (b.group_id === '' ? -1 : 0))) {
      const prev = out.get(r.check_name) ?? { enabled: null, params: {} };
      out.set(r.check_name, {
        enabled: r.enabled === null ? prev.enabled : r.enabled === 1,
        params: { ...prev.params, ...(JSON.parse(r.params) as Record<string, unknown>) },
      });
    }
    return out;
  }

  /** The rule set of one device: applicable, enabled checks with their SQL rendered. */
  async ruleSetFor(accountId: string, deviceId: string): Promise<ChecksSetBodyT> {
    const device = await this.services.repos.devices.byId(deviceId);
    if (!device) throw new VigilError('E_DEVICE_NOT_FOUND', `no device ${deviceId}`);
    const facts = JSON.parse(device.facts) as { fingerprint?: Record<string, unknown> };
    const fingerprint = {
      ...(facts.fingerprint ?? {}),
      os: { platform: device.os_platform, ...((facts.fingerprint?.os as object) ?? {}) },
    };
    const overrides = await this.overridesFor(accountId, deviceId);
    const key = JSON.stringify([device.os_platform, fingerprint, [...overrides]]);
    const cached = this.rendered.get(key);
    if (cached) return cached;
    const checks: RuleSetCheckT[] = [];
    for (const c of this.catalogue()) {
      if (!c.platforms.includes(device.os_platform as 'linux') || c.verified === false) continue;
      if (!appliesTo(c.applies_when, fingerprint)) continue;
      const o = overrides.get(c.name);
      if (o?.enabled === false) continue;
      const params = effectiveParams(c, o?.params ?? {});
      checks.push({
        name: c.name,
        severity: c.severity,
        query: renderSql(c, c.query, params),
        ...(c.evidence ? { evidence: renderSql(c, c.evidence, params) } : {}),
        pass_when: c.pass_when ?? 'rows',
        interval_s: c.interval_s ?? DEFAULT_CHECK_INTERVAL_S,
      });
    }
    const digest = createHash('sha256').update(JSON.stringify(checks)).digest('hex').slice(0, 32);
    const set = { digest, checks, full_state_interval_s: FULL_STATE_INTERVAL_S };
    this.rendered.set(key, set);
    return set;
  }

  /**
   * Send a rule set: deflated (about a quarter of the ~130 KB) to a live agent that reads it, plain
   * otherwise (poll-mode and older agents).
   */
  private async sendRuleSet(accountId: string, deviceId: string, set: ChecksSetBodyT): Promise<void> {
    if (!this.hub.acceptsDeflate(deviceId)) {
      await this.hub.sendToDevice(accountId, deviceId, 'checks.set', set);
      return;
    }
    let deflated = this.deflated.get(set);
    if (deflated === undefined) {
      deflated = deflateJson(set);
      this.deflated.set(set, deflated);
    }
    const body: ChecksSetDeflatedBodyT = { digest: set.digest, deflated };
    await this.hub.sendToDevice(accountId, deviceId, 'checks.set_deflated', body);
  }

  /**
   * Push the device's rule set unless the agent already runs it. On connect the agent says which
   * set it holds (`agentHolds`; null when it holds none or does not say, and then it is sent);
   * otherwise the digest last pushed is what the agent holds.
   */
  async pushRuleSet(accountId: string, deviceId: string, agentHolds?: string | null): Promise<void> {
    const set = await this.ruleSetFor(accountId, deviceId);
    const device = await this.services.repos.devices.byId(deviceId);
    const recorded = device?.rule_set_digest ?? null;
    const holds = agentHolds === undefined ? recorded : agentHolds;
    if (holds !== set.digest) await this.sendRuleSet(accountId, deviceId, set);
    else if (recorded === set.digest) return;
    await this.services.store.db
      .updateTable('devices')
      .set({ rule_set_digest: set.digest })
      .where('id', '=', deviceId)
      .execute();
    // Checks no longer in the set are no longer applicable: forget their results.
    const names = set.checks.map((c) => c.name);
    const forgotten = await this.services.store.db
      .deleteFrom('check_results')
      .where('device_id', '=', deviceId)
      .where((eb) => (names.length ? eb('check_name', 'not in', names) : eb.val(true)))
      .executeTakeFirst();
    if (Number(forgotten.numDeletedRows) > 0)
      await this.storeDeviceCompliance(this.services.store.db, deviceId);
  }

  /** Re-push every connected device of the account whose rule set changed. */
  async pushAll(accountId: string): Promise<void> {
    for (const id of await this.services.repos.devices.idsOf(accountId)) {
      if (this.hub.isConnected(id)) await this.pushRuleSet(accountId, id);
    }
  }

  /** Store reported outcomes; a pass→fail change raises an alert once, fail→pass resolves it. */
  private async ingest(
    trx: Kysely<Database>,
    accountId: string,
    deviceId: string,
    body: CheckResultsBodyT,
  ): Promise<void> {
    const at = new Date(body.at).toISOString();
    const device = await trx
      .selectFrom('devices')
      .select(['hostname'])
      .where('id', '=', deviceId)
      .executeTakeFirst();
    for (const r of body.results) {
      const def = this.catalogue().find((c) => c.name === r.name);
      const severity = def?.severity ?? 'medium';
      const prev = await trx
        .selectFrom('check_results')
        .selectAll()
        .where('device_id', '=', deviceId)
        .where('check_name', '=', r.name)
        .executeTakeFirst();
      const evidence = r.evidence ? JSON.stringify(r.evidence) : null;
      if (!prev) {
        await trx
          .insertInto('check_results')
          .values({
            account_id: accountId,
            device_id: deviceId,
            check_name: r.name,
            severity,
            status: r.status,
            since: at,
            last_run_at: at,
            evidence,
            error: r.error ?? null,
          })
          .execute();
      } else {
        await trx
          .updateTable('check_results')
          .set({
            status: r.status,
            since: prev.status === r.status ? prev.since : at,
            last_run_at: at,
            evidence,
            error: r.error ?? null,
          })
          .where('device_id', '=', deviceId)
          .where('check_name', '=', r.name)
          .execute();
      }
      if (r.status === 'fail' && prev?.status !== 'fail') {
        await this.services.alerts.raise(
          {
            account_id: accountId,
            device_id: deviceId,
            rule: `check.${r.name}`,
            severity,
            title: `${def?.title ?? r.name} — failing on ${device?.hostname ?? deviceId}`,
            // One alert per failing period: pass→fail raises, fail→pass resolves.
            window_s: CHECK_ALERT_WINDOW_S,
            context: { check: r.name, evidence: r.evidence ?? null, remediation: def?.remediation ?? null },
          },
          { trx },
        );
      } else if (r.status === 'pass' && prev?.status === 'fail') {
        await this.services.alerts.resolveAutomatically(
          {
            account_id: accountId,
            device_id: deviceId,
            rule: `check.${r.name}`,
            reason: 'the check passes again',
          },
          { trx },
        );
      }
    }
    await this.storeDeviceCompliance(trx, deviceId);
    await this.recordCompliance(trx, accountId);
  }

  /** Score the device's current results into devices.compliance_score (what the devices API filters on). */
  private async storeDeviceCompliance(db: Kysely<Database>, deviceId: string): Promise<void> {
    const rows = await db
      .selectFrom('check_results')
      .select(['status', 'severity'])
      .where('device_id', '=', deviceId)
      .execute();
    await db
      .updateTable('devices')
      .set({ compliance_score: CheckService.score(rows).score })
      .where('id', '=', deviceId)
      .execute();
  }

  /** Compliance of a set of result rows: passing weight / applicable weight (info checks do not count). */
  static score(rows: Array<{ status: string; severity: string }>): {
    score: number | null;
    passing: number;
    applicable: number;
  } {
    let pass = 0;
    let total = 0;
    let passing = 0;
    for (const r of rows) {
      const w = SEVERITY_WEIGHT[r.severity as SeverityT] ?? 1;
      if (r.status === 'error') continue;
      total += w;
      if (r.status === 'pass') {
        pass += w;
        passing += 1;
      }
    }
    const applicable = rows.filter((r) => r.status !== 'error').length;
    return { score: total === 0 ? null : Math.round((pass / total) * 1000) / 10, passing, applicable };
  }

  private async recordCompliance(trx: Kysely<Database>, accountId: string): Promise<void> {
    const last = await trx
      .selectFrom('compliance_history')
      .select('at')
      .where('account_id', '=', accountId)
      .orderBy('at', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (last && Date.now() - Date.parse(last.at) < 60_000) return;
    const rows = await trx
      .selectFrom('check_results')
      .select(['status', 'severity'])
      .where('account_id', '=', accountId)
      .execute();
    const s = CheckService.score(rows);
    if (s.score === null) return;
    await trx
      .insertInto('compliance_history')
      .values({
        id: newId(),
        account_id: accountId,
        at: nowIso(),
        score: s.score,
        passing: s.passing,
        applicable: s.applicable,
      })
      .execute();
  }

  /** Compliance now for the account or one group, plus the account's history. */
  async compliance(p: Principal, group?: string) {
    const db = this.services.store.db;
    let q = db
      .selectFrom('check_results')
      .select(['check_results.status', 'check_results.severity', 'check_results.check_name'])
      .where('check_results.account_id', '=', p.accountId);
    if (group) {
      const g = await this.services.groups.getRow(p, group);
      q = q
        .innerJoin('group_members', 'group_members.device_id', 'check_results.device_id')
        .where('group_members.group_id', '=', g.id);
    }
    const rows = await q.execute();
    const failing = new Map<string, number>();
    for (const r of rows)
      if (r.status === 'fail') failing.set(r.check_name, (failing.get(r.check_name) ?? 0) + 1);
    const history = await db
      .selectFrom('compliance_history')
      .select(['at', 'score'])
      .where('account_id', '=', p.accountId)
      .orderBy('at', 'desc')
      .limit(200)
      .execute();
    return {
      ...CheckService.score(rows),
      most_failed: [...failing.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 10)
        .map(([check, devices]) => ({ check, devices })),
      history: history.reverse(),
    };
  }

  /** Current results, filtered. */
  async results(
    p: Principal,
    f: { device?: string; check?: string; failing?: boolean; group?: string; limit?: number },
  ) {
    let q = this.services.store.db
      .selectFrom('check_results')
      .innerJoin('devices', 'devices.id', 'check_results.device_id')
      .select([
        'check_results.device_id',
        'devices.hostname',
        'check_results.check_name',
        'check_results.severity',
        'check_results.status',
        'check_results.since',
        'check_results.last_run_at',
        'check_results.evidence',
        'check_results.error',
      ])
      .where('check_results.account_id', '=', p.accountId);
    if (f.device) q = q.where('check_results.device_id', '=', f.device);
    if (f.check) q = q.where('check_results.check_name', '=', f.check);
    if (f.failing) q = q.where('check_results.status', '=', 'fail');
    if (f.group) {
      const g = await this.services.groups.getRow(p, f.group);
      q = q
        .innerJoin('group_members', 'group_members.device_id', 'check_results.device_id')
        .where('group_members.group_id', '=', g.id);
    }
    const rows = await q
      .orderBy('devices.hostname')
      .orderBy('check_results.check_name')
      .limit(f.limit ?? 1000)
      .execute();
    return rows.map((r) => ({ ...r, evidence: r.evidence ? (JSON.parse(r.evidence) as unknown) : null }));
  }

  /** Run the full rule set now on every targeted online device. */
  async scan(ctx: Ctx, targets: TargetsT): Promise<{ scan_id: string; targeted: number; online: number }> {
    const ids = await resolveTargets(
      this.services.store,
      this.services.repos,
      ctx.principal.accountId,
      targets,
    );
    const online = ids.filter((id) => this.hub.isConnected(id));
    const scanId = newId();
    if (online.length > 0)
      await this.hub.sendCampaignWithId(
        scanId,
        ctx.principal.accountId,
        online,
        'checks.scan',
        { scan_id: scanId },
        5 * 60_000,
      );
    await this.services.audit.record(ctx, 'checks.scan', `scan:${scanId}`, 'success', {
      targeted: ids.length,
      online: online.length,
    });
    return { scan_id: scanId, targeted: ids.length, online: online.length };
  }

  /** Set (or clear, with enabled null and no params) an override for the account or a group; re-push rule sets. */
  async setOverride(
    ctx: Ctx,
    input: { check: string; group?: string; enabled?: boolean | null; params?: Record<string, unknown> },
  ): Promise<CheckOverride> {
    const def = this.check(input.check);
    if (input.params) effectiveParams(def, input.params);
    const groupId = input.group ? (await this.services.groups.getRow(ctx.principal, input.group)).id : '';
    const db = this.services.store.db;
    await db
      .deleteFrom('check_overrides')
      .where('account_id', '=', ctx.principal.accountId)
      .where('group_id', '=', groupId)
      .where('check_name', '=', def.name)
      .execute();
    await db
      .insertInto('check_overrides')
      .values({
        id: newId(),
        account_id: ctx.principal.accountId,
        group_id: groupId,
        check_name: def.name,
        enabled: input.enabled === undefined || input.enabled === null ? null : input.enabled ? 1 : 0,
        params: JSON.stringify(input.params ?? {}),
        updated_at: nowIso(),
      })
      .execute();
    await this.services.audit.record(ctx, 'check.override', `check:${def.name}`, 'success', {
      group_id: groupId || null,
      enabled: input.enabled ?? null,
      params: input.params ?? {},
    });
    await this.pushAll(ctx.principal.accountId);
    return {
      group_id: groupId || null,
      check: def.name,
      enabled: input.enabled ?? null,
      params: input.params ?? {},
    };
  }

  /** Every override of the account. */
  async overrides(p: Principal): Promise<CheckOverride[]> {
    const rows = await this.services.store.db
      .selectFrom('check_overrides')
      .selectAll()
      .where('account_id', '=', p.accountId)
      .orderBy('check_name')
      .execute();
    return rows.map((r) => ({
      group_id: r.group_id || null,
      check: r.check_name,
      enabled: r.enabled === null ? null : r.enabled === 1,
      params: JSON.parse(r.params) as Record<string, unknown>,
    }));
  }
}
