/**
 * checks.set / checks.scan: the device's rule set runs on the agent on each check's schedule
 * (default hourly); only state changes are reported, plus a compact full state now and then;
 * an instant scan runs everything at once and reports the full state with the scan id.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChecksSetBodyT, ChecksSetDeflatedBodyT, RuleSetCheckT } from '@vigil/protocol';
import { inflateJson, VigilError, validators } from '@vigil/protocol/agent-runtime';
import type { QueryRunner } from '../../sql/query-runner.js';
import type { Dispatcher, Log } from '../dispatch.js';
import type { Outbox } from '../outbox.js';
import { rowsToArrays } from './query.js';

/** One outcome as reported. */
interface Outcome {
  name: string;
  status: 'pass' | 'fail' | 'error';
  evidence?: { columns: string[]; rows: unknown[][] };
  error?: string;
}

/** Runs the rule set and tracks state changes. */
export class CheckRunner {
  private set: ChecksSetBodyT | null;
  private state: Record<string, 'pass' | 'fail' | 'error'>;
  private nextRun = new Map<string, number>();
  private lastFull = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly stateDir: string,
    private readonly runner: () => QueryRunner,
    private readonly outbox: Outbox,
    private readonly log: Log,
    tickMs = 30_000,
  ) {
    this.set = this.read<ChecksSetBodyT | null>('rule-set.json', null);
    this.state = this.read('check-state.json', {});
    this.timer = setInterval(() => void this.tick(), tickMs);
    this.timer.unref();
  }

  private read<T>(name: string, fallback: T): T {
    const path = join(this.stateDir, name);
    try {
      return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as T) : fallback;
    } catch {
      return fallback;
    }
  }

  /** The digest of the server's rule set this agent runs (persisted across restarts). */
  heldDigest(): string | undefined {
    return this.set?.digest;
  }

  /** Take a new rule set (persisted) and run it now in full. */
  replace(set: ChecksSetBodyT): Promise<void> {
    this.set = set;
    writeFileSync(join(this.stateDir, 'rule-set.json'), JSON.stringify(set), { mode: 0o600 });
    this.nextRun.clear();
    return this.enqueueRun(set.checks, true);
  }

  /** Run every check now and report the full state (instant scan). */
  scan(scanId: string): Promise<void> {
    return this.enqueueRun(this.set?.checks ?? [], true, scanId);
  }

  private enqueueRun(checks: RuleSetCheckT[], full: boolean, scanId?: string): Promise<void> {
    this.running = this.running
      .then(() => this.runChecks(checks, full, scanId))
      .catch((e: unknown) => this.log.error({ err: e }, 'check run failed'));
    return this.running;
  }

  private async tick(): Promise<void> {
    if (!this.set) return;
    const now = Date.now();
    const due = this.set.checks.filter((c) => (this.nextRun.get(c.name) ?? 0) <= now);
    const full = now - this.lastFull > this.set.full_state_interval_s * 1000;
    if (due.length > 0 || full) await this.enqueueRun(full ? this.set.checks : due, full);
  }

  /** Run one check through the worker-thread engine. */
  async runOne(c: RuleSetCheckT): Promise<Outcome> {
    try {
      const r = await this.runner().run(c.query, { timeoutMs: 30_000, maxRows: 10_000 });
      const passed = c.pass_when === 'rows' ? r.rows.length > 0 : r.rows.length === 0;
      if (passed) return { name: c.name, status: 'pass' };
      if (c.evidence) {
        const ev = await this.runner().run(c.evidence, { timeoutMs: 30_000, maxRows: 50 });
        return {
          name: c.name,
          status: 'fail',
          evidence: {
            columns: ev.columns.slice(0, 200),
            rows: rowsToArrays(ev.columns, ev.rows as Array<Record<string, unknown>>).slice(0, 50),
          },
        };
      }
      return {
        name: c.name,
        status: 'fail',
        evidence: {
          columns: r.columns.slice(0, 200),
          rows: rowsToArrays(r.columns, r.rows as Array<Record<string, unknown>>).slice(0, 50),
        },
      };
    } catch (error) {
      return {
        name: c.name,
        status: 'error',
        error: ((error as Error).message ?? String(error)).slice(0, 4000),
      };
    }
  }

  private async runChecks(checks: RuleSetCheckT[], full: boolean, scanId?: string): Promise<void> {
    if (!this.set) return;
    const results: Outcome[] = [];
    for (const c of checks) {
      const o = await this.runOne(c);
      this.nextRun.set(c.name, Date.now() + c.interval_s * 1000);
      if (full || this.state[c.name] !== o.status) results.push(o);
      this.state[c.name] = o.status;
    }
    writeFileSync(join(this.stateDir, 'check-state.json'), JSON.stringify(this.state), { mode: 0o600 });
    if (full) this.lastFull = Date.now();
    if (results.length > 0 || scanId)
      this.outbox.enqueue('check.results', {
        digest: this.set.digest,
        full,
        ...(scanId ? { scan_id: scanId } : {}),
        at: Date.now(),
        results,
      });
  }

  /** Wait for the run in progress (tests). */
  idle(): Promise<void> {
    return this.running;
  }

  /** Stop the schedule. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}

/** Register checks.set (plain and deflated) and checks.scan. */
export function registerCheckHandlers(d: Dispatcher, runner: CheckRunner): void {
  d.register('checks.set', {
    validator: validators.ChecksSetBody,
    run: (body) => {
      void runner.replace(body as ChecksSetBodyT);
      return { checks: (body as ChecksSetBodyT).checks.length };
    },
  });
  // The same set, deflated (sent to agents that accept it): inflated within a bound, then held
  // to the very schema a plain checks.set body must match, and to the digest it was sent under.
  d.register('checks.set_deflated', {
    validator: validators.ChecksSetDeflatedBody,
    run: (body) => {
      const { digest, deflated } = body as ChecksSetDeflatedBodyT;
      const set = inflateJson(deflated);
      if (!validators.ChecksSetBody.check(set))
        throw new VigilError('E_VALIDATION', 'the inflated check set does not match the checks.set schema');
      if (set.digest !== digest)
        throw new VigilError('E_VALIDATION', `the inflated check set is ${set.digest}, not ${digest}`);
      void runner.replace(set);
      return { checks: set.checks.length };
    },
  });
  d.register('checks.scan', {
    validator: validators.ChecksScanBody,
    run: (body) => {
      void runner.scan((body as { scan_id: string }).scan_id);
      return { started: true };
    },
  });
}
