/**
 * Response actions on the server: request a run (the action exists, its parameters validate, the
 * caller's role allows its risk, its targets resolve to devices that support it), the two-person
 * rule (approve, reject), cancel, undo, and the account's approval setting. Sending, rollout
 * batches, offline queueing and timeouts are the rollout engine's (actions/rollout.ts); ingest of
 * the agents' results is actions/ingest-result.ts. Every change is audited.
 */
import {
  type ActionDefinitionT,
  ActionResultBody,
  type ActionResultBodyT,
  type ActionRunDetailT,
  type ActionRunListQueryT,
  type ActionRunT,
  type ActionSettingsT,
  type ActionUndoBodyT,
  type CreateActionRunBodyT,
  type DeviceActionRunT,
  type PageQueryT,
  VigilError,
} from '@vigil/protocol';
import type { AgentHub } from '../hub/hub.js';
import type { IngestSource } from '../hub/ingest.js';
import { newId, nowIso } from '../store/ids.js';
import { type ActionRunDeviceRow, type ActionRunRow, ActionRunsRepo } from '../store/repos/action-runs.js';
import { announceRun } from './actions/announce.js';
import { approvalOverdue, expireApproval } from './actions/approval-expiry.js';
import { ActionCatalogue } from './actions/catalogue.js';
import { ingestActionResult } from './actions/ingest-result.js';
import { assertMayCancel, assertMayDecide, assertMayRequest, needsApproval } from './actions/policy.js';
import { RolloutEngine } from './actions/rollout.js';
import { resolveActionTargets } from './actions/targets.js';
import { deviceRunView, deviceView, runView } from './actions/views.js';
import type { Services } from './index.js';
import type { Principal, RequestContext } from './principal.js';

type Ctx = RequestContext & { principal: Principal };

/** How long a queued device may stay offline when the caller does not say (one day). */
export const DEFAULT_OFFLINE_EXPIRY_S = 86_400;

/** Options of the action service (tests shorten the timings and bring their own catalogue). */
export interface ActionServiceOptions {
  /** Catalogue directory instead of definitions/actions. */
  dir?: string;
  /** Added to an action's timeout before a silent device times out (default 30 s + two poll intervals). */
  timeoutMarginMs?: number;
  /** How often timeouts, expiries and due batches are looked for (default 5 s). */
  sweepMs?: number;
  /** Wait after start before resuming runs, so agents can reconnect (default: the hub's reconnect grace). */
  resumeGraceMs?: number;
  /** How long a run may wait for approval (default: the server's --action-approval-expiry); 0: forever. */
  approvalExpiryMs?: number;
}

/**
 * Rewrites one action's requested parameters into the agent-facing ones before they are validated
 * (the software library turns `package: <id>` into software.deploy's url, sha256 and filename).
 */
export type ActionParamResolver = (
  p: Principal,
  params: Record<string, unknown>,
) => Promise<Record<string, unknown>>;

/** What an undo run carries besides a normal request: the run it undoes and each device's parameters. */
interface UndoOf {
  runId: string;
  params: Map<string, Record<string, unknown>>;
}

/** Action run use cases. */
export class ActionService {
  readonly catalogue: ActionCatalogue;
  readonly repo: ActionRunsRepo;
  readonly engine: RolloutEngine;
  /** How long a run may wait for approval before it expires; 0: forever. */
  readonly approvalExpiryMs: number;
  private readonly resolvers = new Map<string, ActionParamResolver>();

  constructor(
    private readonly services: Services,
    hub: AgentHub,
    options: ActionServiceOptions = {},
  ) {
    this.catalogue = new ActionCatalogue(options.dir);
    this.repo = new ActionRunsRepo(services.store.db);
    this.approvalExpiryMs = options.approvalExpiryMs ?? services.config.actionApprovalExpirySeconds * 1000;
    this.engine = new RolloutEngine(services, hub, this.repo, {
      approvalExpiryMs: this.approvalExpiryMs,
      timeoutMarginMs: options.timeoutMarginMs ?? 30_000 + 2 * hub.options.pollMs,
      sweepMs: options.sweepMs ?? 5_000,
      // The same grace the hub gives agents that were online before a restart.
      resumeGraceMs:
        options.resumeGraceMs ?? 2 * Math.max(hub.options.heartbeatMs, hub.options.pollMs) + 5_000,
    });
    hub.ingestor.register('action.result', ActionResultBody, async (trx, source, body) => {
      await ingestActionResult(trx, source, body as ActionResultBodyT);
    });
    // After the ingest transaction committed: the run may move on (next batch, completion).
    hub.ingestor.on('action.result', (source: IngestSource, body: ActionResultBodyT) => {
      void this.engine.advance(body.run_id);
      // A result changes the run's progress; read its status only when a console listens.
      if (services.events.listenerCount(source.accountId) === 0) return;
      void this.repo.byId(body.run_id).then(
        (run) => run && announceRun(services.events, run, run.status),
        (e: unknown) =>
          services.log.error({ err: e, run: body.run_id }, 'announcing an action result failed'),
      );
    });
    hub.onAttach((deviceId) => this.engine.deviceOnline(deviceId));
  }

  /** Let another service resolve an action's parameters before validation (one resolver per action). */
  resolveParamsWith(action: string, resolver: ActionParamResolver): void {
    this.resolvers.set(action, resolver);
  }

  /** Resume running runs and start the engine's sweeper. */
  start(): Promise<void> {
    return this.engine.start();
  }

  /** Stop the engine's timers and wait for its steps in progress. */
  stop(): Promise<void> {
    return this.engine.stop();
  }

  /** The catalogue with, for each action, whether this account needs a second admin for it. */
  async catalogueFor(p: Principal): Promise<Array<ActionDefinitionT & { needs_approval: boolean }>> {
    const rule = await this.repo.requireApproval(p.accountId);
    return this.catalogue.all().map((d) => ({ ...d, needs_approval: needsApproval(d, rule, false) }));
  }

  /** The account's action settings. */
  async settings(p: Principal): Promise<ActionSettingsT> {
    return { require_approval: await this.repo.requireApproval(p.accountId) };
  }

  /** Change the account's action settings (admin; the route enforces it). */
  async setSettings(ctx: Ctx, value: ActionSettingsT): Promise<ActionSettingsT> {
    const before = await this.repo.requireApproval(ctx.principal.accountId);
    await this.repo.setRequireApproval(ctx.principal.accountId, value.require_approval, ctx.principal.userId);
    await this.services.audit.record(
      ctx,
      'action.settings',
      `account:${ctx.principal.accountId}`,
      'success',
      {
        require_approval: { from: before, to: value.require_approval },
      },
    );
    return this.settings(ctx.principal);
  }

  /** Request a run. Without approval it starts at once; otherwise it waits for a second admin. */
  async create(ctx: Ctx, input: CreateActionRunBodyT, undo?: UndoOf): Promise<ActionRunT> {
    const p = ctx.principal;
    const def = this.catalogue.get(input.action);
    try {
      assertMayRequest(p, def);
    } catch (error) {
      await this.services.audit.record(ctx, 'action.request', `action:${def.name}`, 'failure', {
        reason: (error as Error).message,
      });
      throw error;
    }
    const dryRun = input.dry_run ?? false;
    if (dryRun && !def.dry_run)
      throw new VigilError(
        'E_ACTION_NO_DRY_RUN',
        `${def.name} has no dry run: leave out dry_run (--dry-run)`,
      );
    const resolver = this.resolvers.get(def.name);
    const requested = input.params ?? {};
    const params = undo
      ? {}
      : this.catalogue.params(def, resolver ? await resolver(p, requested) : requested);
    const deviceParams = new Map<string, Record<string, unknown>>();
    for (const [id, given] of undo?.params ?? []) deviceParams.set(id, this.catalogue.params(def, given));

    const devices = await this.targetDevices(p.accountId, def, input);
    const approval = needsApproval(def, await this.repo.requireApproval(p.accountId), dryRun);
    const batchSize = input.rollout?.batch_size ?? null;
    const now = nowIso();
    const run: ActionRunRow = {
      id: newId(),
      account_id: p.accountId,
      action: def.name,
      params: JSON.stringify(params),
      targets: JSON.stringify(input.targets),
      dry_run: dryRun ? 1 : 0,
      risk: def.risk,
      timeout_s: def.timeout_s,
      reason: input.reason ?? null,
      requested_by: p.userId,
      requested_by_name: p.email,
      approval_required: approval ? 1 : 0,
      status: approval ? 'pending_approval' : 'running',
      status_reason: null,
      approved_by: null,
      approved_by_name: null,
      approved_at: null,
      closed_by: null,
      closed_by_name: null,
      batch_size: batchSize,
      pause_s: input.rollout?.pause_s ?? 0,
      stop_if_failure_rate: input.rollout?.stop_if_failure_rate ?? null,
      offline_policy: input.offline?.policy ?? 'skip',
      offline_expiry_s: input.offline?.expiry_s ?? DEFAULT_OFFLINE_EXPIRY_S,
      current_batch: 0,
      batch_count: batchSize ? Math.ceil(devices.length / batchSize) : 1,
      next_batch_at: null,
      undo_of: undo?.runId ?? null,
      created_at: now,
      updated_at: now,
      finished_at: null,
    };
    const rows: ActionRunDeviceRow[] = devices.map((d, i) => ({
      run_id: run.id,
      device_id: d.id,
      account_id: p.accountId,
      batch: batchSize ? Math.floor(i / batchSize) + 1 : 1,
      status: 'pending',
      command_id: null,
      params: deviceParams.has(d.id) ? JSON.stringify(deviceParams.get(d.id)) : null,
      result: null,
      error: null,
      sent_at: null,
      deadline_at: null,
      queue_expires_at: null,
      finished_at: null,
      updated_at: now,
    }));
    await this.repo.create(run, rows);
    announceRun(this.services.events, run, run.status);
    await this.services.audit.record(ctx, 'action.request', `action_run:${run.id}`, 'success', {
      action: def.name,
      risk: def.risk,
      params: undo ? Object.fromEntries(deviceParams) : params,
      targets: input.targets,
      devices: rows.length,
      dry_run: dryRun,
      approval_required: approval,
      rollout: {
        batch_size: batchSize,
        pause_s: run.pause_s,
        stop_if_failure_rate: run.stop_if_failure_rate,
      },
      offline: { policy: run.offline_policy, expiry_s: run.offline_expiry_s },
      ...(undo ? { undo_of: undo.runId } : {}),
      ...(input.reason ? { reason: input.reason } : {}),
    });
    // Signing and sending a large first batch takes a while: answer now, the run is followed by GET.
    if (!approval) void this.engine.advance(run.id);
    return this.view(await this.getRow(p, run.id));
  }

  /** The targeted devices, ordered by hostname (batches follow this order); refuses unsupported platforms. */
  private async targetDevices(
    accountId: string,
    def: ActionDefinitionT,
    input: CreateActionRunBodyT,
  ): Promise<Array<{ id: string; hostname: string }>> {
    const ids = await resolveActionTargets(this.services, accountId, input.targets);
    const found: Array<{ id: string; hostname: string; os_platform: string; status: string }> = [];
    for (let i = 0; i < ids.length; i += 500)
      found.push(
        ...(await this.services.store.db
          .selectFrom('devices')
          .select(['id', 'hostname', 'os_platform', 'status'])
          .where('account_id', '=', accountId)
          .where('id', 'in', ids.slice(i, i + 500))
          .execute()),
      );
    const usable = found.filter((d) => d.status !== 'revoked');
    if (usable.length === 0)
      throw new VigilError(
        'E_VALIDATION',
        'every targeted device is revoked: nothing could receive the action',
      );
    const platforms = new Set<string>(def.platforms.map((x) => x.platform));
    const unsupported = usable.filter((d) => !platforms.has(d.os_platform));
    if (unsupported.length > 0) {
      const named = unsupported
        .slice(0, 5)
        .map((d) => `${d.hostname} (${d.os_platform})`)
        .join(', ');
      throw new VigilError(
        'E_ACTION_PLATFORM',
        `${def.name} runs on ${[...platforms].join(', ')}; ${unsupported.length} targeted device(s) do not: ${named}${unsupported.length > 5 ? ', …' : ''}. Narrow the targets.`,
      );
    }
    return usable
      .sort((a, b) => a.hostname.localeCompare(b.hostname) || a.id.localeCompare(b.id))
      .map((d) => ({ id: d.id, hostname: d.hostname }));
  }

  /** One run of the caller's account, or E_ACTION_RUN_NOT_FOUND. */
  async getRow(p: Principal, id: string): Promise<ActionRunRow> {
    const run = await this.repo.get(p.accountId, id);
    if (!run)
      throw new VigilError(
        'E_ACTION_RUN_NOT_FOUND',
        `no action run ${id} in this account (vigil actions list)`,
      );
    return run;
  }

  private async view(run: ActionRunRow): Promise<ActionRunT> {
    return runView(run, (await this.repo.counts([run.id])).get(run.id) ?? {}, this.approvalExpiryMs);
  }

  /** A run with every device's status and result. */
  async get(p: Principal, id: string): Promise<ActionRunDetailT> {
    const run = await this.getRow(p, id);
    const devices = await this.repo.devices(run.id);
    return { ...(await this.view(run)), devices: devices.map(deviceView) };
  }

  /** Runs of the account, newest first, filtered. */
  async list(
    p: Principal,
    q: ActionRunListQueryT,
  ): Promise<{ items: ActionRunT[]; next_cursor: string | null }> {
    const page = await this.repo.list(p.accountId, {
      limit: q.limit ?? 50,
      ...(q.cursor ? { cursor: q.cursor } : {}),
      ...(q.status ? { status: q.status } : {}),
      ...(q.action ? { action: q.action } : {}),
      ...(q.requested_by ? { requested_by: q.requested_by } : {}),
    });
    const counts = await this.repo.counts(page.items.map((r) => r.id));
    return {
      items: page.items.map((r) => runView(r, counts.get(r.id) ?? {}, this.approvalExpiryMs)),
      next_cursor: page.next_cursor,
    };
  }

  /** Runs that included one of the caller's devices, newest first, with that device's outcome. */
  async forDevice(
    p: Principal,
    deviceId: string,
    q: PageQueryT,
  ): Promise<{ items: DeviceActionRunT[]; next_cursor: string | null }> {
    await this.services.devices.getRow(p, deviceId);
    const page = await this.repo.forDevice(p.accountId, deviceId, {
      limit: q.limit ?? 50,
      ...(q.cursor ? { cursor: q.cursor } : {}),
    });
    return { items: page.items.map(deviceRunView), next_cursor: page.next_cursor };
  }

  /** A second admin approves a waiting run; it starts at once. */
  async approve(ctx: Ctx, id: string, reason?: string): Promise<ActionRunT> {
    const p = ctx.principal;
    await this.engine.exclusive(id, async () => {
      const run = await this.getRow(p, id);
      await this.decide(ctx, run, 'approve', reason);
      const ok = await this.repo.updateRun(
        run.id,
        { status: 'running', approved_by: p.userId, approved_by_name: p.email, approved_at: nowIso() },
        { status: 'pending_approval' },
      );
      if (!ok) throw new VigilError('E_APPROVAL_STATE', `run ${id} was decided by someone else meanwhile`);
      announceRun(this.services.events, run, 'running');
      await this.services.audit.record(ctx, 'action.approve', `action_run:${run.id}`, 'success', {
        action: run.action,
        requested_by: run.requested_by_name,
        ...(reason ? { reason } : {}),
      });
    });
    void this.engine.advance(id);
    return this.view(await this.getRow(p, id));
  }

  /** A second admin rejects a waiting run; nothing is sent. */
  async reject(ctx: Ctx, id: string, reason?: string): Promise<ActionRunT> {
    const p = ctx.principal;
    await this.engine.exclusive(id, async () => {
      const run = await this.getRow(p, id);
      await this.decide(ctx, run, 'reject', reason);
      const why = reason ?? `rejected by ${p.email}`;
      const ok = await this.repo.updateRun(
        run.id,
        {
          status: 'rejected',
          status_reason: why,
          closed_by: p.userId,
          closed_by_name: p.email,
          finished_at: nowIso(),
        },
        { status: 'pending_approval' },
      );
      if (!ok) throw new VigilError('E_APPROVAL_STATE', `run ${id} was decided by someone else meanwhile`);
      announceRun(this.services.events, run, 'rejected');
      await this.repo.updateDevicesOfRun(
        run.id,
        { status: 'cancelled', error: `the run was rejected: ${why}`, finished_at: nowIso() },
        ['pending'],
      );
      await this.services.audit.record(ctx, 'action.reject', `action_run:${run.id}`, 'success', {
        action: run.action,
        requested_by: run.requested_by_name,
        ...(reason ? { reason } : {}),
      });
    });
    return this.view(await this.getRow(p, id));
  }

  /**
   * Check the decision rules; a refused attempt is audited (self-approval is a signal worth keeping).
   * A run past its approval expiry that the sweeper has not reached yet expires here, and is refused.
   */
  private async decide(
    ctx: Ctx,
    run: ActionRunRow,
    verb: 'approve' | 'reject',
    reason?: string,
  ): Promise<void> {
    try {
      if (
        ctx.principal.role === 'admin' &&
        approvalOverdue(run, this.approvalExpiryMs, Date.now()) &&
        (await expireApproval(this.repo, this.services.repos.audit, run, this.approvalExpiryMs, new Date()))
      ) {
        announceRun(this.services.events, run, 'expired');
        throw new VigilError(
          'E_APPROVAL_STATE',
          `run ${run.id} expired: nobody approved it within the approval expiry; request it again if it is still needed`,
        );
      }
      assertMayDecide(ctx.principal, run, verb);
    } catch (error) {
      await this.services.audit.record(ctx, `action.${verb}`, `action_run:${run.id}`, 'failure', {
        code: error instanceof VigilError ? error.code : 'E_INTERNAL',
        reason: (error as Error).message,
        ...(reason ? { note: reason } : {}),
      });
      throw error;
    }
  }

  /** Cancel a waiting or running run: nothing more is sent; commands already sent may still report. */
  async cancel(ctx: Ctx, id: string, reason?: string): Promise<ActionRunT> {
    const p = ctx.principal;
    await this.engine.exclusive(id, async () => {
      const run = await this.getRow(p, id);
      assertMayCancel(p, run);
      if (run.status !== 'pending_approval' && run.status !== 'running')
        throw new VigilError(
          'E_ACTION_STATE',
          `run ${id} is ${run.status.replace('_', ' ')}: nothing left to cancel`,
        );
      const why = reason ?? `cancelled by ${p.email}`;
      const ok = await this.repo.updateRun(
        run.id,
        {
          status: 'cancelled',
          status_reason: why,
          closed_by: p.userId,
          closed_by_name: p.email,
          finished_at: nowIso(),
          next_batch_at: null,
        },
        { status: run.status },
      );
      if (!ok) throw new VigilError('E_ACTION_STATE', `run ${id} changed meanwhile; look at it again`);
      announceRun(this.services.events, run, 'cancelled');
      this.engine.clearWakeup(run.id);
      const cancelled = await this.repo.updateDevicesOfRun(
        run.id,
        { status: 'cancelled', error: `the run was cancelled: ${why}`, finished_at: nowIso() },
        ['pending', 'queued'],
      );
      const inFlight = await this.repo.countWhere(run.id, ['sent']);
      await this.services.audit.record(ctx, 'action.cancel', `action_run:${run.id}`, 'success', {
        action: run.action,
        was: run.status,
        devices_cancelled: cancelled,
        devices_in_flight: inFlight,
        ...(reason ? { reason } : {}),
      });
    });
    return this.view(await this.getRow(p, id));
  }

  /** A new run that undoes a finished one, from the undo specs its succeeded devices reported. */
  async undo(ctx: Ctx, id: string, input: ActionUndoBodyT = {}): Promise<ActionRunT> {
    const source = await this.getRow(ctx.principal, id);
    if (source.status === 'pending_approval' || source.status === 'running')
      throw new VigilError(
        'E_ACTION_STATE',
        `run ${id} is ${source.status.replace('_', ' ')}: wait until it ends (or cancel it) before undoing it`,
      );
    if (source.dry_run === 1)
      throw new VigilError('E_ACTION_NO_UNDO', `run ${id} was a dry run: it changed nothing`);
    const specs = new Map<string, { action: string; params: Record<string, unknown> }>();
    for (const d of await this.repo.devicesWhere(source.id, ['succeeded'])) {
      const result = d.result ? (JSON.parse(d.result) as ActionResultBodyT) : null;
      if (result?.undo) specs.set(d.device_id, result.undo);
    }
    if (specs.size === 0) {
      const def = this.catalogue.all().find((x) => x.name === source.action);
      throw new VigilError(
        'E_ACTION_NO_UNDO',
        def?.undo
          ? `no device of run ${id} succeeded with something to undo`
          : `${source.action} has no undo action in the catalogue`,
      );
    }
    const actions = new Set([...specs.values()].map((s) => s.action));
    if (actions.size > 1)
      throw new VigilError(
        'E_ACTION_NO_UNDO',
        `the devices of run ${id} report different undo actions (${[...actions].join(', ')}); undo them one device at a time`,
      );
    const action = [...actions][0] as string;
    const run = await this.create(
      ctx,
      {
        action,
        targets: { devices: [...specs.keys()] },
        rollout: input.rollout ?? {
          ...(source.batch_size ? { batch_size: source.batch_size } : {}),
          pause_s: source.pause_s,
          ...(source.stop_if_failure_rate !== null
            ? { stop_if_failure_rate: Number(source.stop_if_failure_rate) }
            : {}),
        },
        offline: input.offline ?? {
          policy: source.offline_policy as 'queue' | 'skip',
          expiry_s: source.offline_expiry_s,
        },
        reason: input.reason ?? `undo of run ${source.id} (${source.action})`,
      },
      { runId: source.id, params: new Map([...specs].map(([device, s]) => [device, s.params])) },
    );
    await this.services.audit.record(ctx, 'action.undo', `action_run:${source.id}`, 'success', {
      undo_run: run.id,
      action,
      devices: specs.size,
    });
    return run;
  }
}
