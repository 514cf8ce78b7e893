/**
 * Coalescing on the agent: the first occurrence of a rule and key goes out at once (the latency
 * goal), later ones within the rule's window are counted and go out together as one item after a
 * short flush delay (two seconds; longer while the monitors shed load), with a bounded list of
 * what they were. A package upgrade touching 500 files is then two items: the first file, and
 * one with count 499 and the list — and one alert on the server, which coalesces by rule and key.
 */
import type { AlertEventBodyT, RuleSetRuleT } from '@vigil/protocol';
import { MAX_ALERT_CONTEXT_BYTES } from '@vigil/protocol/agent-runtime';
import type { MonitorEvent } from '../types.js';

/** Occurrence summaries one item lists at most (the rest are counted). */
export const MAX_LISTED = 100;
/** Rule-and-key slots kept at most; beyond, the stalest are forgotten. */
export const MAX_SLOTS = 20_000;
/**
 * New alerts (new keys) one rule may open per minute; beyond, occurrences with new keys are
 * counted in one overflow item per rule (key `*`), so a flood of distinct keys — 10,000 new
 * files a second — stays a handful of items instead of one alert per file.
 */
export const MAX_LEADS_PER_MINUTE = 60;
/** The key of a rule's overflow item. */
export const OVERFLOW_KEY = '*';

interface Slot {
  windowEnd: number;
  pending: number;
  first: number;
  last: number;
  latest: MonitorEvent | undefined;
  listed: string[];
  omitted: number;
  rule: RuleSetRuleT;
  key: string;
}

/** Options of a coalescer. */
export interface CoalescerOptions {
  /** Where finished items go (the outbox). */
  emit(body: AlertEventBodyT): void;
  /** Delay before counted repeats go out, read at each scheduling (the budget widens it). */
  flushMs(): number;
  now?: () => number;
  /** New alerts per rule per minute (default MAX_LEADS_PER_MINUTE). */
  maxLeadsPerMinute?: number;
}

/** Cut a context down to the size the channel takes: the diff goes first, then the lists. */
export function boundContext(context: Record<string, unknown>): Record<string, unknown> {
  let text = JSON.stringify(context);
  if (Buffer.byteLength(text) <= MAX_ALERT_CONTEXT_BYTES) return context;
  const out: Record<string, unknown> = { ...context };
  if (out.file && typeof out.file === 'object' && 'diff' in (out.file as object)) {
    out.file = { ...(out.file as object), diff: null, diff_dropped: 'the diff was too large to send' };
  }
  for (const listKey of ['occurrences', 'preceding', 'files']) {
    text = JSON.stringify(out);
    if (Buffer.byteLength(text) <= MAX_ALERT_CONTEXT_BYTES) return out;
    if (Array.isArray(out[listKey])) out[listKey] = (out[listKey] as unknown[]).slice(0, 10);
  }
  text = JSON.stringify(out);
  if (Buffer.byteLength(text) <= MAX_ALERT_CONTEXT_BYTES) return out;
  return { context_dropped: `the context was ${Buffer.byteLength(text)} bytes, over the limit` };
}

/** Per rule and key: lead at once, then fold repeats. */
export class Coalescer {
  private readonly slots = new Map<string, Slot>();
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;
  /** Slots forgotten to stay within MAX_SLOTS. */
  forgotten = 0;
  /** New alerts opened per rule in the current minute. */
  private readonly leads = new Map<string, { minute: number; n: number }>();
  private readonly maxLeadsPerMinute: number;

  constructor(private readonly options: CoalescerOptions) {
    this.now = options.now ?? Date.now;
    this.maxLeadsPerMinute = options.maxLeadsPerMinute ?? MAX_LEADS_PER_MINUTE;
  }

  /**
   * Count `count` occurrences of `rule` with `key`; returns true when this went out as the
   * leading item of a new window (automated responses run then, not for every repeat).
   */
  add(
    rule: RuleSetRuleT,
    key: string,
    event: MonitorEvent,
    count: number,
    extra: Record<string, unknown> = {},
  ): boolean {
    const now = this.now();
    let id = `${rule.name}\u0000${key}`;
    let slot = this.slots.get(id);
    if (!slot || now >= slot.windowEnd) {
      if (this.mayLead(rule.name, now)) {
        if (slot) this.flushSlot(slot);
        this.slots.delete(id);
        this.makeRoom(now);
        this.slots.set(id, this.newSlot(rule, key, now));
        this.options.emit(
          this.body(rule, key, event, count, event.at, event.at, { ...event.context, ...extra }),
        );
        return true;
      }
      // Too many new keys of this rule this minute (a flood of distinct files, sources…): the
      // occurrence is counted in the rule's overflow item instead of opening an alert of its own.
      id = `${rule.name}\u0000${OVERFLOW_KEY}`;
      slot = this.slots.get(id);
      if (!slot || now >= slot.windowEnd) {
        if (slot) this.flushSlot(slot);
        this.makeRoom(now);
        slot = this.newSlot(rule, OVERFLOW_KEY, now);
        this.slots.set(id, slot);
      }
    }
    if (slot.pending === 0) slot.first = event.at;
    slot.pending += count;
    slot.last = Math.max(slot.last, event.at);
    slot.latest = event;
    if (slot.listed.length < MAX_LISTED) slot.listed.push(event.summary);
    else slot.omitted += 1;
    this.schedule();
    return false;
  }

  private newSlot(rule: RuleSetRuleT, key: string, now: number): Slot {
    return {
      windowEnd: now + rule.coalesce.window_s * 1000,
      pending: 0,
      first: 0,
      last: 0,
      latest: undefined,
      listed: [],
      omitted: 0,
      rule,
      key,
    };
  }

  /** Whether a rule may open one more alert of its own this minute. */
  private mayLead(rule: string, now: number): boolean {
    const minute = Math.floor(now / 60_000);
    const r = this.leads.get(rule);
    if (!r || r.minute !== minute) {
      if (this.leads.size > 10_000) this.leads.clear();
      this.leads.set(rule, { minute, n: 1 });
      return true;
    }
    if (r.n >= this.maxLeadsPerMinute) return false;
    r.n += 1;
    return true;
  }

  private body(
    rule: RuleSetRuleT,
    key: string,
    event: MonitorEvent,
    count: number,
    first: number,
    last: number,
    context: Record<string, unknown>,
  ): AlertEventBodyT {
    return {
      rule: rule.name,
      severity: rule.severity,
      title: `${rule.title}: ${event.summary}`.slice(0, 300),
      key: key.slice(0, 512),
      window_s: rule.coalesce.window_s,
      attack: rule.attack,
      count,
      first_seen: first,
      last_seen: last,
      context: boundContext({ ...context, event: event.fields }),
    };
  }

  private flushSlot(slot: Slot): void {
    if (slot.pending === 0 || !slot.latest) return;
    this.options.emit(
      this.body(slot.rule, slot.key, slot.latest, slot.pending, slot.first, slot.last, {
        ...slot.latest.context,
        occurrences: slot.listed,
        ...(slot.omitted > 0 ? { occurrences_omitted: slot.omitted } : {}),
      }),
    );
    slot.pending = 0;
    slot.listed = [];
    slot.omitted = 0;
    slot.latest = undefined;
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, this.options.flushMs());
    this.timer.unref();
  }

  /** Send every counted repeat now (the flush timer, and stop). */
  flush(): void {
    const now = this.now();
    for (const [id, slot] of this.slots) {
      this.flushSlot(slot);
      if (now >= slot.windowEnd) this.slots.delete(id);
    }
  }

  /** Flush and stop the timer. */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.flush();
  }

  /** Slots held now (tests, status). */
  size(): number {
    return this.slots.size;
  }

  private makeRoom(now: number): void {
    if (this.slots.size < MAX_SLOTS) return;
    for (const [id, s] of this.slots) {
      if (now >= s.windowEnd) {
        this.flushSlot(s);
        this.slots.delete(id);
      }
    }
    for (const [id, s] of this.slots) {
      if (this.slots.size < MAX_SLOTS) break;
      this.flushSlot(s);
      this.slots.delete(id);
      this.forgotten += 1;
    }
  }
}
