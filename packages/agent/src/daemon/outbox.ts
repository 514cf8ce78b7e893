/**
 * The durable outbox (never lose data): every result, alert and event goes into SQLite in the
 * state dir first and leaves only when the server acknowledges its id. Bounded in bytes: over
 * the limit the oldest low-priority items are evicted, counted and reported — never silently.
 * The same database remembers executed command ids until they expire (replay protection that
 * survives restarts).
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { OutboxItemT } from '@vigil/protocol';
import Database from 'better-sqlite3';

/** Items that matter most are evicted last. */
export type Priority = 'high' | 'low';

/** A new outbox message id (unique per agent). */
export function newMsgId(): string {
  return `${Date.now().toString(36)}${randomBytes(9).toString('base64url')}`;
}

/** The outbox and replay store of one agent. */
export class Outbox {
  private readonly db: Database.Database;
  /** Called after an item is enqueued (the channel flushes). */
  onEnqueue: () => void = () => {};

  constructor(
    stateDir: string,
    private readonly maxBytes = 100 * 1024 * 1024,
  ) {
    this.db = new Database(join(stateDir, 'outbox.db'));
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT UNIQUE NOT NULL, kind TEXT NOT NULL, at INTEGER NOT NULL, body TEXT NOT NULL, priority TEXT NOT NULL, bytes INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS seen_commands (id TEXT PRIMARY KEY, expires INTEGER NOT NULL);
    `);
  }

  /** Store an item durably; returns its id. */
  enqueue(kind: string, body: unknown, priority: Priority = 'high'): string {
    const id = newMsgId();
    const text = JSON.stringify(body ?? null);
    this.db
      .prepare('INSERT INTO outbox (id, kind, at, body, priority, bytes) VALUES (?, ?, ?, ?, ?, ?)')
      .run(id, kind, Date.now(), text, priority, text.length);
    this.enforceLimit();
    this.onEnqueue();
    return id;
  }

  /** The oldest items, up to `maxItems` and about `maxBytes` together. */
  peek(maxItems = 500, maxBytes = 1024 * 1024): OutboxItemT[] {
    const rows = this.db
      .prepare('SELECT id, kind, at, body, bytes FROM outbox ORDER BY seq LIMIT ?')
      .all(maxItems) as Array<{ id: string; kind: string; at: number; body: string; bytes: number }>;
    const out: OutboxItemT[] = [];
    let total = 0;
    for (const r of rows) {
      if (out.length > 0 && total + r.bytes > maxBytes) break;
      total += r.bytes;
      out.push({ id: r.id, kind: r.kind, at: r.at, body: JSON.parse(r.body) as unknown });
    }
    return out;
  }

  /** Remove acknowledged items. */
  ack(ids: string[]): void {
    const del = this.db.prepare('DELETE FROM outbox WHERE id = ?');
    this.db.transaction((list: string[]) => {
      for (const id of list) del.run(id);
    })(ids);
  }

  /** Items waiting. */
  depth(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM outbox').get() as { n: number }).n;
  }

  /** Items evicted for space since the agent was installed. */
  evicted(): number {
    return (
      (
        this.db.prepare("SELECT value FROM counters WHERE name = 'evicted'").get() as
          | { value: number }
          | undefined
      )?.value ?? 0
    );
  }

  private enforceLimit(): void {
    let total = (this.db.prepare('SELECT coalesce(sum(bytes), 0) AS b FROM outbox').get() as { b: number }).b;
    if (total <= this.maxBytes) return;
    const victims = this.db
      .prepare(
        "SELECT seq, bytes, priority FROM outbox ORDER BY CASE priority WHEN 'low' THEN 0 ELSE 1 END, seq",
      )
      .all() as Array<{ seq: number; bytes: number }>;
    const del = this.db.prepare('DELETE FROM outbox WHERE seq = ?');
    let evicted = 0;
    for (const v of victims) {
      if (total <= this.maxBytes) break;
      del.run(v.seq);
      total -= v.bytes;
      evicted += 1;
    }
    this.db
      .prepare(
        "INSERT INTO counters (name, value) VALUES ('evicted', ?) ON CONFLICT(name) DO UPDATE SET value = value + excluded.value",
      )
      .run(evicted);
    // One pending report carries the running total, so reports cannot themselves fill the outbox.
    const text = JSON.stringify({
      type: 'outbox_evicted',
      reason: 'size_limit',
      detail: `${this.evicted()} item(s) evicted in all to stay under ${this.maxBytes} bytes`,
    });
    const pending = this.db
      .prepare(
        'SELECT seq FROM outbox WHERE kind = \'security.event\' AND body LIKE \'{"type":"outbox_evicted"%\'',
      )
      .get() as { seq: number } | undefined;
    if (pending)
      this.db
        .prepare('UPDATE outbox SET body = ?, bytes = ? WHERE seq = ?')
        .run(text, text.length, pending.seq);
    else
      this.db
        .prepare('INSERT INTO outbox (id, kind, at, body, priority, bytes) VALUES (?, ?, ?, ?, ?, ?)')
        .run(newMsgId(), 'security.event', Date.now(), text, 'high', text.length);
  }

  /** Whether a command id was already received (persisted across restarts). */
  seen(id: string): boolean {
    return this.db.prepare('SELECT 1 FROM seen_commands WHERE id = ?').get(id) !== undefined;
  }

  /** Remember a command id until it expires (plus skew), then forget it. */
  remember(id: string, expires: number): void {
    this.db
      .prepare('INSERT OR IGNORE INTO seen_commands (id, expires) VALUES (?, ?)')
      .run(id, expires + 120_000);
    this.db.prepare('DELETE FROM seen_commands WHERE expires < ?').run(Date.now());
  }

  /** Close the database. */
  close(): void {
    this.db.close();
  }
}
