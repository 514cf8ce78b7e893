/**
 * The rollout engine: sends a running run batch by batch, waits `pause_s` after every device of a
 * batch has finished, stops when the failure rate so far passes the run's limit, queues or skips
 * offline devices, sends queued ones when they reconnect, and times out silent devices and
 * expires queued ones that never came back.
 *
 * All state is in the store (current batch, when the next one is due, each device's status and
 * deadline), so a restarted server picks every running run up where it was. Every transition is a
 * conditional update, and the steps of one run are serialized, so nothing is sent twice.
 */
import type { ActionRunBodyT } from '@vigil/protocol';
import type { AgentHub } from '../../hub/hub.js';
import { nowIso } from '../../store/ids.js';
import type { ActionRunDeviceRow, ActionRunRow, ActionRunsRepo } from '../../store/repos/action-runs.js';
import type { Services } from '../index.js';
import { announceRun } from './announce.js';
import { approvalOverdue, expireApproval } from './approval-expiry.js';
import { auditRun } from './audit.js';

/** Devices of a batch that still hold it open. */
const OPEN = ['pending', 'sent'];
/** Devices that keep a run from completing. */
const UNFINISHED = ['pending', 'sent', 'queued'];

/** Timing of the engine. */
export interface RolloutOptions {
  /** Added to an action's timeout before a silent device counts as timed out (delivery, polling). */
  timeoutMarginMs: number;
  /** How often overdue devices and due batches are looked for. */
  sweepMs: number;
  /**
   * After a (re)start, how long to wait before resuming runs and timing devices out: agents
   * reconnect with backoff, and a batch sent before they are back would find them offline.
   */
  resumeGraceMs: number;
  /** How long a run may wait for approval before it expires; 0: never. */
  approvalExpiryMs: number;
}

/** Drives running runs to their end. */
export class RolloutEngine {
  private readonly chains = new Map<string, Promise<void>>();
  private readonly wakeups = new Map<string, NodeJS.Timeout>();
  private readonly inflight = new Set<Promise<unknown>>();
  private sweepTimer: NodeJS.Timeout | undefined;
  private graceTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly services: Services,
    private readonly hub: AgentHub,
    private readonly repo: ActionRunsRepo,
    readonly options: RolloutOptions,
  ) {}

  /** After the grace period, resume every running run (after a restart) and start the sweeper. */
  async start(): Promise<void> {
    this.stopped = false;
    const begin = async () => {
      this.graceTimer = undefined;
      if (this.stopped) return;
      this.sweepTimer = setInterval(() => void this.track(this.sweep()), this.options.sweepMs);
      this.sweepTimer.unref();
      for (const id of await this.repo.runningIds()) void this.advance(id);
    };
    if (this.options.resumeGraceMs <= 0) return begin();
    this.graceTimer = setTimeout(() => void this.track(begin()), this.options.resumeGraceMs);
    this.graceTimer.unref();
  }

  /** Stop timers and wait for steps in progress, so nothing touches the store after the app closed. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.sweepTimer = undefined;
    this.graceTimer = undefined;
    for (const t of this.wakeups.values()) clearTimeout(t);
    this.wakeups.clear();
    // Bounded: a step never schedules another once stopped.
    for (let i = 0; i < 10 && this.inflight.size > 0; i++) await Promise.allSettled([...this.inflight]);
  }

  /** Move a run forward as far as it can go now (serialized per run). */
  advance(runId: string): Promise<void> {
    return this.serial(runId, () => this.step(runId));
  }

  /** A device came online: send it what was queued for it. */
  async deviceOnline(deviceId: string): Promise<void> {
    if (this.stopped) return;
    for (const row of await this.repo.queuedFor(deviceId)) {
      await this.serial(row.run_id, async () => {
        const run = await this.repo.byId(row.run_id);
        if (run?.status !== 'running') return;
        if (row.queue_expires_at && Date.parse(row.queue_expires_at) <= Date.now()) return;
        if (await this.deliver(run, row, ['queued']))
          await auditRun(
            this.services.repos.audit,
            run.account_id,
            run.id,
            { kind: 'system' },
            'action.send',
            'success',
            {
              batch: row.batch,
              sent: [deviceId],
              reason: 'the device reconnected',
            },
          );
      });
      await this.advance(row.run_id);
    }
  }

  /** Time out silent devices, expire queued ones, and advance runs whose pause is over. */
  async sweep(now = Date.now()): Promise<void> {
    if (this.stopped) return;
    const at = nowIso(new Date(now));
    const touched = new Set<string>();
    for (const d of await this.repo.overdue('sent', at)) {
      const run = await this.repo.byId(d.run_id);
      const error = `no result within ${run ? `${run.timeout_s} s (the action's timeout) plus ${Math.round(this.options.timeoutMarginMs / 1000)} s for delivery` : 'the deadline'}`;
      if (
        await this.repo.updateDevice(d.run_id, d.device_id, { status: 'timed_out', error, finished_at: at }, [
          'sent',
        ])
      ) {
        await auditRun(
          this.services.repos.audit,
          d.account_id,
          d.run_id,
          { kind: 'system' },
          'action.timeout',
          'failure',
          {
            device_id: d.device_id,
            command_id: d.command_id,
          },
        );
        touched.add(d.run_id);
      }
    }
    for (const d of await this.repo.overdue('queued', at)) {
      const error = 'the device did not come back online before the queue expiry';
      if (
        await this.repo.updateDevice(d.run_id, d.device_id, { status: 'expired', error, finished_at: at }, [
          'queued',
        ])
      ) {
        await auditRun(
          this.services.repos.audit,
          d.account_id,
          d.run_id,
          { kind: 'system' },
          'action.expire',
          'failure',
          {
            device_id: d.device_id,
          },
        );
        touched.add(d.run_id);
      }
    }
    for (const id of await this.repo.runningIds(at)) touched.add(id);
    for (const id of touched) await this.advance(id);
    await this.expireApprovals(now);
  }

  /** Expire the runs that waited for approval longer than the approval expiry; returns how many. */
  async expireApprovals(now = Date.now()): Promise<number> {
    if (this.stopped || this.options.approvalExpiryMs <= 0) return 0;
    const cutoff = nowIso(new Date(now - this.options.approvalExpiryMs));
    let expired = 0;
    for (const candidate of await this.repo.pendingApprovalBefore(cutoff)) {
      // Serialized with approve and reject of the same run: exactly one of them decides it.
      const done = await this.exclusive(candidate.id, async () => {
        const run = await this.repo.byId(candidate.id);
        if (!run || !approvalOverdue(run, this.options.approvalExpiryMs, now)) return false;
        const ok = await expireApproval(
          this.repo,
          this.services.repos.audit,
          run,
          this.options.approvalExpiryMs,
          new Date(now),
        );
        if (ok) announceRun(this.services.events, run, 'expired');
        return ok;
      });
      if (done) expired += 1;
    }
    return expired;
  }

  /**
   * Run `fn` after every earlier step of the same run (approve, cancel and the engine's own steps
   * never interleave); its result or error goes to the caller.
   */
  exclusive<T>(runId: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.chains.get(runId) ?? Promise.resolve();
    const result = previous.then(fn);
    const settled = result.then(
      () => undefined,
      () => undefined,
    );
    this.chains.set(runId, settled);
    void this.track(settled).then(() => {
      if (this.chains.get(runId) === settled) this.chains.delete(runId);
    });
    return result;
  }

  private serial(runId: string, fn: () => Promise<void>): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return this.exclusive(runId, () => (this.stopped ? Promise.resolve() : fn())).catch((error: unknown) =>
      this.services.log.error({ err: error, run: runId }, 'action run step failed'),
    );
  }

  private async track<T>(p: Promise<T>): Promise<T | undefined> {
    this.inflight.add(p);
    try {
      return await p;
    } catch (error) {
      this.services.log.error({ err: error }, 'action engine failed');
      return undefined;
    } finally {
      this.inflight.delete(p);
    }
  }

  private async step(runId: string): Promise<void> {
    const first = await this.repo.byId(runId);
    if (!first) return;
    // Each pass sends one batch or returns, so batch_count + 2 passes always suffice.
    for (let pass = 0; pass < first.batch_count + 2 && !this.stopped; pass++) {
      const run = await this.repo.byId(runId);
      if (run?.status !== 'running') return;
      if (run.current_batch === 0) {
        await this.sendBatch(run, 1);
        continue;
      }
      if ((await this.repo.countWhere(run.id, OPEN, run.current_batch)) > 0) return;
      const stop = await this.failureStop(run);
      if (stop) {
        await this.finish(run, 'failed', stop);
        return;
      }
      if (run.current_batch < run.batch_count) {
        if (run.pause_s > 0) {
          if (!run.next_batch_at) {
            const due = nowIso(new Date(Date.now() + run.pause_s * 1000));
            await this.repo.updateRun(
              run.id,
              { next_batch_at: due },
              { status: 'running', current_batch: run.current_batch },
            );
            this.wakeAt(run.id, due);
            return;
          }
          if (Date.parse(run.next_batch_at) > Date.now()) {
            this.wakeAt(run.id, run.next_batch_at);
            return;
          }
        }
        await this.sendBatch(run, run.current_batch + 1);
        continue;
      }
      if ((await this.repo.countWhere(run.id, UNFINISHED)) === 0) await this.finish(run, 'completed', null);
      return;
    }
  }

  /** Why the run must stop (its failure rate so far is over the limit), or null. */
  private async failureStop(run: ActionRunRow): Promise<string | null> {
    if (run.stop_if_failure_rate === null) return null;
    const c = (await this.repo.counts([run.id])).get(run.id) ?? {};
    const failures = (c.failed ?? 0) + (c.timed_out ?? 0);
    const finished = failures + (c.succeeded ?? 0);
    if (finished === 0 || failures / finished <= run.stop_if_failure_rate) return null;
    return `stopped after batch ${run.current_batch} of ${run.batch_count}: ${failures} of ${finished} devices failed or timed out, above the stop_if_failure_rate of ${run.stop_if_failure_rate}`;
  }

  private async sendBatch(run: ActionRunRow, batch: number): Promise<void> {
    const moved = await this.repo.updateRun(
      run.id,
      { current_batch: batch, next_batch_at: null },
      { status: 'running', current_batch: batch - 1 },
    );
    if (!moved) return;
    const sent: string[] = [];
    const queued: string[] = [];
    const skipped: string[] = [];
    const failed: string[] = [];
    const at = nowIso();
    for (const d of await this.repo.devicesWhere(run.id, ['pending'], batch)) {
      if (this.stopped) break;
      if (this.hub.isConnected(d.device_id)) {
        if (await this.deliver(run, d, ['pending'])) sent.push(d.device_id);
        else failed.push(d.device_id);
      } else if (run.offline_policy === 'queue') {
        const expires = nowIso(new Date(Date.now() + run.offline_expiry_s * 1000));
        if (
          await this.repo.updateDevice(run.id, d.device_id, { status: 'queued', queue_expires_at: expires }, [
            'pending',
          ])
        )
          queued.push(d.device_id);
      } else if (
        await this.repo.updateDevice(
          run.id,
          d.device_id,
          {
            status: 'skipped_offline',
            error: 'the device was offline when its batch was sent',
            finished_at: at,
          },
          ['pending'],
        )
      )
        skipped.push(d.device_id);
    }
    await auditRun(
      this.services.repos.audit,
      run.account_id,
      run.id,
      { kind: 'system' },
      'action.send',
      'success',
      {
        batch,
        of: run.batch_count,
        sent,
        queued,
        skipped_offline: skipped,
        ...(failed.length ? { failed } : {}),
      },
    );
  }

  /**
   * Sign and send the command to one device. The row is marked sent first: a fast agent's result
   * may be ingested before sendToDevice returns. Each device gets its own signed command (audience:
   * that agent), never a campaign signature another agent of the account would also accept.
   */
  private async deliver(run: ActionRunRow, d: ActionRunDeviceRow, from: string[]): Promise<boolean> {
    const now = Date.now();
    const lifetimeMs = run.timeout_s * 1000 + this.options.timeoutMarginMs;
    const marked = await this.repo.updateDevice(
      run.id,
      d.device_id,
      { status: 'sent', sent_at: nowIso(new Date(now)), deadline_at: nowIso(new Date(now + lifetimeMs)) },
      from,
    );
    if (!marked) return false;
    const body: ActionRunBodyT = {
      run_id: run.id,
      action: run.action,
      params: JSON.parse(d.params ?? run.params) as Record<string, unknown>,
      dry_run: run.dry_run === 1,
      timeout_s: run.timeout_s,
    };
    try {
      const delivery = await this.hub.sendToDevice(
        run.account_id,
        d.device_id,
        'action.run',
        body,
        lifetimeMs,
      );
      await this.services.store.db
        .updateTable('action_run_devices')
        .set({ command_id: delivery.commandId })
        .where('run_id', '=', run.id)
        .where('device_id', '=', d.device_id)
        .where('command_id', 'is', null)
        .execute();
      return true;
    } catch (error) {
      this.services.log.error({ err: error, run: run.id, device: d.device_id }, 'sending action.run failed');
      await this.repo.updateDevice(
        run.id,
        d.device_id,
        {
          status: 'failed',
          error: 'the server could not send the command (see the server log)',
          finished_at: nowIso(),
        },
        ['sent'],
      );
      return false;
    }
  }

  /** End a run: devices that never got the command are cancelled unless it completed. */
  async finish(run: ActionRunRow, status: 'completed' | 'failed', reason: string | null): Promise<void> {
    const at = nowIso();
    if (status !== 'completed')
      await this.repo.updateDevicesOfRun(run.id, { status: 'cancelled', error: reason, finished_at: at }, [
        'pending',
        'queued',
      ]);
    const ended = await this.repo.updateRun(
      run.id,
      { status, status_reason: reason, finished_at: at, next_batch_at: null },
      { status: 'running' },
    );
    this.clearWakeup(run.id);
    if (!ended) return;
    announceRun(this.services.events, run, status);
    const counts = (await this.repo.counts([run.id])).get(run.id) ?? {};
    await auditRun(
      this.services.repos.audit,
      run.account_id,
      run.id,
      { kind: 'system' },
      status === 'completed' ? 'action.complete' : 'action.stop',
      status === 'completed' ? 'success' : 'failure',
      { counts, ...(reason ? { reason } : {}) },
    );
  }

  /** Forget a run's pending wake-up (cancelled or ended). */
  clearWakeup(runId: string): void {
    const t = this.wakeups.get(runId);
    if (t) clearTimeout(t);
    this.wakeups.delete(runId);
  }

  private wakeAt(runId: string, iso: string): void {
    if (this.stopped) return;
    this.clearWakeup(runId);
    // The sweep would pick it up too; this timer just makes the pause exact.
    const t = setTimeout(
      () => {
        this.wakeups.delete(runId);
        void this.advance(runId);
      },
      Math.max(0, Date.parse(iso) - Date.now()),
    );
    t.unref();
    this.wakeups.set(runId, t);
  }
}
