/**
 * What an answer needs to know of its campaign (account and start), kept in memory for running
 * campaigns: reading the campaign row for every answer was one statement per agent. The node that
 * starts a campaign remembers it; another node (or this one after a restart) reads the row once
 * and remembers it too. A campaign's account and start never change, so an entry is never stale;
 * entries go when their campaign ends or, for the read ones, after its deadline.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';

/** The parts of a campaign an answer is checked and stored against. */
export interface CampaignFacts {
  accountId: string;
  /** Start time in ms, for each device's latency. */
  createdAtMs: number;
  /** Deadline in ms; a remembered entry is dropped after it. */
  deadlineMs: number;
}

/** Most campaigns remembered at once (running campaigns are few; this bounds what misses may add). */
const MAX_ENTRIES = 10_000;

/** Running campaigns by id, backed by the store. */
export class CampaignCache {
  private readonly entries = new Map<string, CampaignFacts>();

  constructor(private readonly max = MAX_ENTRIES) {}

  /** Remember a campaign (its creator calls this at the start). */
  remember(id: string, facts: CampaignFacts): void {
    this.entries.set(id, facts);
    if (this.entries.size > this.max) this.evict();
  }

  /** Forget a campaign (it ended). */
  forget(id: string): void {
    this.entries.delete(id);
  }

  /** The campaign's facts, from memory or else from the store (`db` may be the ingest transaction); undefined when there is no such campaign. */
  async get(db: Kysely<Database>, id: string, now = Date.now()): Promise<CampaignFacts | undefined> {
    const hit = this.entries.get(id);
    if (hit) return hit;
    const row = await db
      .selectFrom('query_campaigns')
      .select(['account_id', 'created_at', 'deadline_at', 'status'])
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) return undefined;
    const facts = {
      accountId: row.account_id,
      createdAtMs: Date.parse(row.created_at),
      deadlineMs: Date.parse(row.deadline_at),
    };
    // A closed campaign is not remembered: late answers to it are rare and a closed one never reopens.
    if (row.status !== 'done' && facts.deadlineMs > now) this.remember(id, facts);
    return facts;
  }

  /** How many campaigns are remembered (tests). */
  get size(): number {
    return this.entries.size;
  }

  /** Drop entries past their deadline, then the oldest ones until the bound holds. */
  private evict(now = Date.now()): void {
    for (const [id, f] of this.entries) if (f.deadlineMs < now) this.entries.delete(id);
    for (const id of this.entries.keys()) {
      if (this.entries.size <= this.max) break;
      this.entries.delete(id);
    }
  }
}
