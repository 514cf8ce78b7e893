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

/**
 * A handler whose own write is exactly-once (it stores only what is not stored yet, under a
 * unique key of the result row): it needs no claim row, and says whether it stored the item.
 */
export type IdempotentIngestHandler = (
  trx: Kysely<Database>,
  source: IngestSource,
  body: unknown,
  item: OutboxItemT,
) => Promise<boolean>;

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

/** Most batches committed in one transaction (keeps each transaction, and the wait for it, short). */
const MAX_GROUP = 256;

interface Registered {
  check(value: unknown): boolean;
  handle: IngestHandler | IdempotentIngestHandler;
  /** Skips the claim row; `handle` tells whether the item was fresh. */
  idempotent: boolean;
}

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
   * valid items skip the claim row, one statement less per item on the hottest paths (answers
   * to a fleet-wide query). Items with an invalid body are still claimed, so they are reported once.
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
   * Batches that arrive while the store is busy are committed together (group commit): with 10k
   * agents answering one campaign, one commit per answer was the largest single cost. Each batch
   * keeps its own savepoint, so one agent's failing batch is rolled back alone and its caller
   * gets the error (its items are not acknowledged and the agent sends them again).
   */
  ingest(source: IngestSource, items: OutboxItemT[]): Promise<IngestOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ source, items, resolve, reject });
      if (!this.flushing) {
        this.flushing = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private readonly queue: IngestJob[] = [];
  private flushing = false;

  /** Commit queued batches, up to MAX_GROUP at a time, until the queue is empty. */
  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const jobs = this.queue.splice(0, MAX_GROUP);
      const outcomes = new Map<IngestJob, IngestOutcome | { error: unknown }>();
      // Handlers announce console events inside the transaction; they go out once it commits.
      let group: Transaction<Database> | undefined;
      try {
        await this.db.transaction().execute(async (trx) => {
          group = trx;
          for (const job of jobs) {
            await sql`savepoint ingest_batch`.execute(trx);
            const forget = this.events.savepoint(trx);
            try {
              outcomes.set(job, await this.store(trx, job.source, job.items));
              await sql`release savepoint ingest_batch`.execute(trx);
            } catch (error) {
              forget();
              await sql`rollback to savepoint ingest_batch`.execute(trx);
              await sql`release savepoint ingest_batch`.execute(trx);
              outcomes.set(job, { error });
            }
          }
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
          job.reject(outcome.error);
          continue;
        }
        for (const item of outcome.fresh) this.emit(item.kind, job.source, item.body, item);
        job.resolve(outcome);
      }
    }
    this.flushing = false;
  }

  /** Claim and handle one agent's batch inside the group's transaction. */
  private async store(
    trx: Transaction<Database>,
    source: IngestSource,
    items: OutboxItemT[],
  ): Promise<IngestOutcome> {
    const fresh: OutboxItemT[] = [];
    const rejected: Array<{ id: string; reason: string }> = [];
    for (const item of items) {
      const handler = this.handlers.get(item.kind);
      if (handler?.idempotent && handler.check(item.body)) {
        if ((await handler.handle(trx, source, item.body, item)) === true) fresh.push(item);
        continue;
      }
      if (!(await this.messages.claim(trx, source.deviceId, item.id, item.kind))) continue;
      if (!handler) {
        rejected.push({ id: item.id, reason: `unknown kind ${item.kind}` });
        continue;
      }
      if (!handler.check(item.body)) {
        rejected.push({ id: item.id, reason: `invalid body for ${item.kind}` });
        continue;
      }
      await handler.handle(trx, source, item.body, item);
      fresh.push(item);
    }
    return { acks: items.map((i) => i.id), fresh, rejected };
  }
}
