/**
 * The retention task of ingest claims (`agent_messages`): every outbox item an agent delivers
 * leaves its id behind so a re-send is stored once, and without expiry that table grows forever.
 * Claims last seen longer ago than the window are forgotten, but only those whose agent can no
 * longer send the item again (see AgentMessagesRepo.pruneClaims): an agent keeps an unacknowledged
 * item in its outbox with no time limit (packages/agent/src/daemon/outbox.ts: items leave only
 * when acknowledged, or when evicted to stay under the outbox's size limit), so no window alone
 * would be safe for a device that stays away longer than it.
 */
import type { Store } from '../store/db.js';
import { AgentMessagesRepo } from '../store/repos/agent-messages.js';
import type { RetentionBudget, RetentionTask } from './retention-task.js';

/** Options of the task. */
export interface AgentClaimsRetentionOptions {
  /** Days a claim is kept after it was last seen; 0 keeps claims forever. */
  days: number;
  /** Rows one statement deletes at most (default 5000). */
  batchSize?: number;
  /** Statements one run executes at most (default 200); the rest waits for the next run. */
  maxStatements?: number;
  /** Least time between two scheduled runs (default one hour). */
  everyMs?: number;
}

const DAY_MS = 86_400_000;

/**
 * How long after a claim a device must have been seen before the claim may go: an agent re-sends
 * its unacknowledged items within seconds of connecting, and a dropped connection is noticed within
 * two heartbeats, so an hour leaves a wide margin.
 */
export const CLAIM_SETTLE_MS = 3_600_000;

/** Deletes ingest claims that can no longer be needed. */
export class AgentClaimsRetention implements RetentionTask {
  readonly name = 'agent_message_claims';
  readonly kinds = ['agent_message_claims'] as const;
  readonly audited = false;
  readonly everyMs: number;
  readonly maxStatements: number;
  private readonly repo: AgentMessagesRepo;
  private readonly batchSize: number;

  constructor(
    store: Pick<Store, 'db'>,
    private readonly options: AgentClaimsRetentionOptions,
  ) {
    this.repo = new AgentMessagesRepo(store.db);
    this.batchSize = options.batchSize ?? 5000;
    this.maxStatements = options.maxStatements ?? 200;
    this.everyMs = options.everyMs ?? 3_600_000;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1)
      throw new RangeError(`claim retention batch size must be a positive integer, got ${this.batchSize}`);
  }

  /** Off when claims are kept forever. */
  get enabled(): boolean {
    return this.options.days > 0;
  }

  /** Forget settled claims older than the window, one batch per statement. */
  async run(budget: RetentionBudget): Promise<void> {
    const cutoff = budget.now.getTime() - this.options.days * DAY_MS;
    const before = new Date(cutoff).toISOString();
    // Seen after this, a device was seen at least CLAIM_SETTLE_MS after every claim older than `before`.
    const settledSince = new Date(cutoff + CLAIM_SETTLE_MS).toISOString();
    while (!budget.exhausted()) {
      const n = await this.repo.pruneClaims({ before, settledSince, limit: this.batchSize });
      await budget.deleted('agent_message_claims', n);
      if (n < this.batchSize) break;
    }
  }
}
