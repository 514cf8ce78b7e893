/**
 * Thresholds: a rule with `threshold: { count, window_s, by }` fires only when `count` matching
 * events with the same `by` values arrive within `window_s` seconds. Once it fired, every further
 * matching event of that key counts as one occurrence until the key goes quiet for a window.
 * Memory is bounded: at most `count` timestamps per key and MAX_KEYS keys per tracker.
 */
import type { RuleSetRuleT } from '@vigil/protocol';

/** Keys one rule tracks at most; beyond, the stalest are forgotten (and counted). */
export const MAX_KEYS = 10_000;

interface KeyState {
  times: number[];
  fired: boolean;
  lastAt: number;
  /** Summaries of the events that led up to the threshold (the alert shows them). */
  preceding: string[];
}

/** What a matching event amounts to. */
export type ThresholdOutcome = { fire: false } | { fire: true; count: number; preceding: string[] };

/** Threshold state of one rule. */
export class ThresholdTracker {
  private readonly keys = new Map<string, KeyState>();
  /** Keys forgotten to stay within MAX_KEYS. */
  forgotten = 0;

  constructor(private readonly threshold: NonNullable<RuleSetRuleT['threshold']>) {}

  /** Count one matching event of `key` at `at` (ms). */
  add(key: string, at: number, summary: string): ThresholdOutcome {
    const windowMs = this.threshold.window_s * 1000;
    let s = this.keys.get(key);
    if (s && at - s.lastAt > windowMs) {
      this.keys.delete(key);
      s = undefined;
    }
    if (!s) {
      this.makeRoom(at);
      s = { times: [], fired: false, lastAt: at, preceding: [] };
      this.keys.set(key, s);
    }
    s.lastAt = at;
    if (s.fired) return { fire: true, count: 1, preceding: [] };
    s.times.push(at);
    s.preceding.push(summary);
    while (s.times.length > 0 && at - (s.times[0] as number) > windowMs) {
      s.times.shift();
      s.preceding.shift();
    }
    if (s.times.length > this.threshold.count) {
      s.times.shift();
      s.preceding.shift();
    }
    if (s.times.length < this.threshold.count) return { fire: false };
    const outcome = { fire: true as const, count: s.times.length, preceding: s.preceding.slice(-20) };
    s.fired = true;
    s.times = [];
    s.preceding = [];
    return outcome;
  }

  /** Keys currently tracked. */
  size(): number {
    return this.keys.size;
  }

  private makeRoom(now: number): void {
    if (this.keys.size < MAX_KEYS) return;
    const windowMs = this.threshold.window_s * 1000;
    for (const [k, s] of this.keys) if (now - s.lastAt > windowMs) this.keys.delete(k);
    // Still full: forget the stalest (Map iteration is insertion order, close enough to age).
    for (const k of this.keys.keys()) {
      if (this.keys.size < MAX_KEYS) break;
      this.keys.delete(k);
      this.forgotten += 1;
    }
  }
}
