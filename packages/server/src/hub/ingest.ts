/**
 * Idempotent ingest of agent outbox items. Each batch runs in one transaction: every item's id
 * is claimed first (unless its handler's own write is exactly-once), so an item the agent re-sends
 * (after a lost ack) is acknowledged again but stored once. Kind handlers plug in per message
 * kind; later features register their own.
 */
import { EventEmitter } from 'node:events';
import { CommandResultBody, compileValidator, type OutboxItemT, SecurityEventBody } from '@vigil/protocol';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { TSchema } from 'typebox';
import type { ConsoleEvents } from '../bus/console-events.js';
import type { AlertService } from '../services/alerts/alert-service.js';
import { nowIso } from '../store/ids.js';
import type { AgentMessagesRepo } from '../store/repos/agent-messages.js';
import type { Database } from '../store/schema.js';

/** Who sent an item. */
export interface IngestSource {
  deviceId: string;
  accountId: string;
}

/** A handler for one outbox kind; runs inside the ingest transaction. */
export type IngestHandler = (
  trx: Kysely<Database>,
  source: IngestSource,
  body: unknown,
  item: OutboxItemT,
) => Promise<void>;

/** One item for an idempotent handler, with who sent it. */
export interface IngestEntry {
  source: IngestSource;
  body: unknown;
  item: OutboxItemT;
}

/**
 * A handler whose own write is exactly-once (it stores only what is not stored yet, under a
 * unique key of the result row), so its items need no claim row. It gets every valid item of its
 * kind in a group at once (one statement for many agents' items) and says, per entry, whether it
 * stored it for the first time. It must only write through `trx`: after a failure it is called
 * again for a part of the entries.
 */
export type IdempotentIngestHandler = (trx: Kysely<Database>, entries: IngestEntry[]) => Promise<boolean[]>;

/** What storing one batch gave: ids to acknowledge, items stored for the first time, items refused. */
export interface IngestOutcome {
  acks: string[];
  fresh: OutboxItemT[];
  rejected: Array<{ id: string; reason: string }>;
}

interface IngestJob {
  source: IngestSource;
  items: OutboxItemT[];
  resolve(outcome: IngestOutcome): void;
  reject(error: unknown): void;
}

/**
 * A batch that was not stored, or only in part: `stored` are its items that were committed
 * anyway (their followers hear of them now; the agent's re-send finds them stored).
 */
interface Failed {
  error: unknown;
  stored?: OutboxItemT[];
}

/** Most batches committed in one transaction (keeps each transaction, and the wait for it, short). */
const MAX_GROUP = 256;

/**
 * While batches keep coming (the last group was committed less than this long ago), the next
 * group waits this long for more batches. Answers to a fleet-wide query arrive a few at a time:
 * committing each few on its own made ~3 answers per commit, and the commit with its statements
 * was about a third of the server's CPU per answer. A batch after a quiet spell is committed at once.
 */
const GROUP_HOLD_MS = 5;

type Registered = { check(value: unknown): boolean } & (
  | { idempotent: false; handle: IngestHandler }
  /** Skips the claim row; `handle` takes many items and tells which were fresh. */
  | { idempotent: true; handle: IdempotentIngestHandler }
);

/** An item of an idempotent kind set aside while its batch is stored, with the batch it came in. */
interface DeferredEntry extends IngestEntry {
  job: IngestJob;
  outcome: IngestOutcome;
}

/** Items of idempotent kinds by kind, stored together at the end of the group. */
type Deferred = Map<string, DeferredEntry[]>;

/** Routes outbox items to handlers, exactly once per (device, message id). */
export class Ingestor extends EventEmitter {
  private readonly handlers = new Map<string, Registered>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly messages: AgentMessagesRepo,
    alerts: AlertService,
    private readonly events: ConsoleEvents,
  ) {
    super();
    this.register('command.result', CommandResultBody, async (trx, source, body) => {
      const b = body as { command_id: string; ok: boolean; result?: unknown; error?: unknown };
      await trx
        .updateTable('agent_commands')
        .set({
          completed_at: nowIso(),
          ok: b.ok ? 1 : 0,
          result: JSON.stringify(b.ok ? (b.result ?? null) : (b.error ?? null)),
        })
        .where('device_id', '=', source.deviceId)
        .where('id', '=', b.command_id)
        .where('completed_at', 'is', null)
        .execute();
    });
    this.register('security.event', SecurityEventBody, async (trx, source, body) => {
      const b = body as { type: string; reason: string; detail: string; command_id?: string };
      await alerts.raise(
        {
          account_id: source.accountId,
          device_id: source.deviceId,
          rule: `agent.${b.type}`,
          severity: b.type === 'command_refused' ? 'high' : 'medium',
          title:
            b.type === 'command_refused'
              ? `Agent refused a command (${b.reason})`
              : `Agent security event: ${b.type}`,
          key: `${source.deviceId}:${b.reason}`,
          context: b,
        },
        { trx },
      );
    });
  }

  /** Register the handler of one kind, with the schema its body must match. */
  register(kind: string, schema: TSchema, handle: IngestHandler): void {
    const validator = compileValidator(schema);
    this.handlers.set(kind, { check: (v) => validator.check(v), handle, idempotent: false });
  }

  /**
   * Register a kind whose handler is exactly-once by itself (see IdempotentIngestHandler): its
   * valid items skip the claim row and are stored together, per group, on the hottest path
   * (answers to a fleet-wide query). Items with an invalid body are still claimed, so they are
   * reported once.
   */
  registerIdempotent(kind: string, schema: TSchema, handle: IdempotentIngestHandler): void {
    const validator = compileValidator(schema);
    this.handlers.set(kind, { check: (v) => validator.check(v), handle, idempotent: true });
  }

  /**
   * Store a batch; returns the ids to acknowledge (all of them once committed, duplicates included).
   * An item of an unknown kind or with an invalid body is acknowledged (re-sending would never
   * help) but recorded and reported, never silently dropped.
   *
   * Batches that arrive while the store is busy, or while batches keep coming (GROUP_HOLD_MS),
   * are committed together (group commit): with 10k agents answering one campaign, one commit per
   * answer was the largest single cost. Each batch
   * keeps its own savepoint, so one agent's failing batch is rolled back alone and its caller
   * gets the error (its items are not acknowledged and the agent sends them again).
   */
  ingest(source: IngestSource, items: OutboxItemT[]): Promise<IngestOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ source, items, resolve, reject });
      if (!this.flushing) {
        this.flushing = true;
        if (performance.now() - this.lastCommitAt < GROUP_HOLD_MS)
          setTimeout(() => void this.flush(), GROUP_HOLD_MS);
        else setImmediate(() => void this.flush());
      }
    });
  }

  private readonly queue: IngestJob[] = [];
  private flushing = false;
  /** When the last group was committed (performance.now()), to tell a stream of batches from a lone one. */
  private lastCommitAt = Number.NEGATIVE_INFINITY;

  /** Commit queued batches, up to MAX_GROUP at a time, until the queue is empty. */
  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const jobs = this.queue.splice(0, MAX_GROUP);
      const outcomes = new Map<IngestJob, IngestOutcome | Failed>();
      // Handlers announce console events inside the transaction; they go out once it commits.
      let group: Transaction<Database> | undefined;
      try {
        await this.db.transaction().execute(async (trx) => {
          group = trx;
          const deferred: Deferred = new Map();
          for (const job of jobs) {
            const outcome: IngestOutcome = { acks: job.items.map((i) => i.id), fresh: [], rejected: [] };
            const { aside, claimed } = this.sortOut(job, outcome);
            // A batch of idempotent items only (answers to a live query) writes nothing here:
            // no savepoint, two statements less per batch.
            if (claimed.length > 0) {
              await sql`savepoint ingest_batch`.execute(trx);
              const forget = this.events.savepoint(trx);
              try {
                await this.store(trx, job.source, claimed, outcome);
                await sql`release savepoint ingest_batch`.execute(trx);
              } catch (error) {
                forget();
                await sql`rollback to savepoint ingest_batch`.execute(trx);
                await sql`release savepoint ingest_batch`.execute(trx);
                outcomes.set(job, { error });
                continue;
              }
            }
            outcomes.set(job, outcome);
            // Set aside only once the batch got through (a batch that fails is not stored at all).
            for (const entry of aside) {
              const list = deferred.get(entry.item.kind);
              if (list) list.push(entry);
              else deferred.set(entry.item.kind, [entry]);
            }
          }
          await this.storeDeferred(trx, deferred, outcomes);
        });
        if (group) this.events.committed(group);
      } catch (error) {
        // The commit itself failed: nothing of this group is stored.
        if (group) this.events.discarded(group);
        for (const job of jobs) outcomes.set(job, { error });
      }
      for (const job of jobs) {
        const outcome = outcomes.get(job) ?? { error: new Error('batch was not processed') };
        if ('error' in outcome) {
          for (const item of outcome.stored ?? []) this.emit(item.kind, job.source, item.body, item);
          job.reject(outcome.error);
          continue;
        }
        for (const item of outcome.fresh) this.emit(item.kind, job.source, item.body, item);
        job.resolve(outcome);
      }
    }
    this.lastCommitAt = performance.now();
    this.flushing = false;
  }

  /**
   * Store the items of idempotent kinds set aside by the group's batches: one handler call per
   * kind for the whole group, and the fresh ones join their batch's outcome. Should that fail, the
   * batches are stored one by one, and a batch whose items still fail gets the error (it is not
   * acknowledged; its other items stay stored, are announced, and are recognised as stored when
   * the agent sends them again).
   */
  private async storeDeferred(
    trx: Transaction<Database>,
    deferred: Deferred,
    outcomes: Map<IngestJob, IngestOutcome | Failed>,
  ): Promise<void> {
    if (deferred.size === 0) return;
    const forget = this.events.savepoint(trx);
    await sql`savepoint ingest_deferred`.execute(trx);
    try {
      await this.handleDeferred(trx, deferred);
      await sql`release savepoint ingest_deferred`.execute(trx);
      return;
    } catch {
      forget();
      await sql`rollback to savepoint ingest_deferred`.execute(trx);
      await sql`release savepoint ingest_deferred`.execute(trx);
    }
    const jobs = new Set([...deferred.values()].flat().map((e) => e.job));
    for (const job of jobs) {
      const own: Deferred = new Map();
      for (const [kind, entries] of deferred)
        own.set(
          kind,
          entries.filter((e) => e.job === job),
        );
      const forgetJob = this.events.savepoint(trx);
      await sql`savepoint ingest_deferred`.execute(trx);
      try {
        await this.handleDeferred(trx, own);
        await sql`release savepoint ingest_deferred`.execute(trx);
      } catch (error) {
        forgetJob();
        await sql`rollback to savepoint ingest_deferred`.execute(trx);
        await sql`release savepoint ingest_deferred`.execute(trx);
        const outcome = outcomes.get(job);
        outcomes.set(job, { error, stored: outcome && 'fresh' in outcome ? outcome.fresh : [] });
      }
    }
  }

  /** One handler call per kind; the fresh items join their batch's outcome. */
  private async handleDeferred(trx: Transaction<Database>, deferred: Deferred): Promise<void> {
    const fresh: Array<{ outcome: IngestOutcome; item: OutboxItemT }> = [];
    for (const [kind, entries] of deferred) {
      const handler = this.handlers.get(kind);
      if (!handler?.idempotent || entries.length === 0) continue;
      const stored = await handler.handle(trx, entries);
      entries.forEach((e, i) => {
        if (stored[i] === true) fresh.push({ outcome: e.outcome, item: e.item });
      });
    }
    // Only once every kind is stored: a failure above must leave the outcomes as they were.
    for (const f of fresh) f.outcome.fresh.push(f.item);
  }

  /** Split a batch into the items of idempotent kinds (valid ones, set aside) and those to claim. */
  private sortOut(
    job: IngestJob,
    outcome: IngestOutcome,
  ): { aside: DeferredEntry[]; claimed: OutboxItemT[] } {
    const aside: DeferredEntry[] = [];
    const claimed: OutboxItemT[] = [];
    for (const item of job.items) {
      const handler = this.handlers.get(item.kind);
      if (handler?.idempotent && handler.check(item.body))
        aside.push({ source: job.source, body: item.body, item, job, outcome });
      else claimed.push(item);
    }
    return { aside, claimed };
  }

  /** Claim and handle items of one agent's batch inside the group's transaction. */
  private async store(
    trx: Transaction<Database>,
    source: IngestSource,
    items: OutboxItemT[],
    outcome: IngestOutcome,
  ): Promise<void> {
    for (const item of items) {
      if (!(await this.messages.claim(trx, source.deviceId, item.id, item.kind))) continue;
      const handler = this.handlers.get(item.kind);
      if (!handler) {
        outcome.rejected.push({ id: item.id, reason: `unknown kind ${item.kind}` });
        continue;
      }
      // (An item of an idempotent kind gets here only with an invalid body.)
      if (handler.idempotent || !handler.check(item.body)) {
        outcome.rejected.push({ id: item.id, reason: `invalid body for ${item.kind}` });
        continue;
      }
      await handler.handle(trx, source, item.body, item);
      outcome.fresh.push(item);
    }
  }
}
