/**
 * The rule engine of the monitors: each event is matched against the rules of its monitor;
 * thresholds hold events back until enough arrive; matches are coalesced per rule and key and go
 * out as `alert.event` items; the leading occurrence of each rule and key is handed to the
 * automated responses.
 */
import type { AlertEventBodyT, MonitorNameT, RuleSetRuleT } from '@vigil/protocol';
import type { MonitorEvent } from '../types.js';
import { Coalescer } from './coalescer.js';
import { keyOf, matchHolds, neverMatches } from './match.js';
import { ThresholdTracker } from './threshold.js';

/** A rule that fired for the first time in its window: what responses evaluate. */
export interface Detection {
  rule: RuleSetRuleT;
  key: string;
  event: MonitorEvent;
}

/** Options of the engine. */
export interface RuleEngineOptions {
  /** Where alert items go (the outbox). */
  emit(body: AlertEventBodyT): void;
  /** Called for the leading occurrence of each rule and key (automated responses). */
  onDetection?(detection: Detection): void;
  /** Delay before counted repeats go out (the budget widens it while shedding). */
  flushMs(): number;
  now?: () => number;
  log?: { error(obj: object, msg?: string): void };
}

/** Matches events against the current rule set. */
export class RuleEngine {
  private byMonitor = new Map<MonitorNameT, RuleSetRuleT[]>();
  private thresholds = new Map<string, ThresholdTracker>();
  private current: RuleSetRuleT[] = [];
  readonly coalescer: Coalescer;

  constructor(private readonly options: RuleEngineOptions) {
    this.coalescer = new Coalescer({
      emit: options.emit,
      flushMs: options.flushMs,
      ...(options.now ? { now: options.now } : {}),
    });
  }

  /** Replace the rule set; threshold state of rules that are gone or changed is dropped. */
  setRules(rules: RuleSetRuleT[]): void {
    const next = new Map<MonitorNameT, RuleSetRuleT[]>();
    const thresholds = new Map<string, ThresholdTracker>();
    for (const rule of rules) {
      next.set(rule.monitor, [...(next.get(rule.monitor) ?? []), rule]);
      if (!rule.threshold) continue;
      const id = `${rule.name}\u0000${JSON.stringify(rule.threshold)}`;
      thresholds.set(id, this.thresholds.get(id) ?? new ThresholdTracker(rule.threshold));
    }
    this.byMonitor = next;
    this.thresholds = thresholds;
    this.current = rules;
  }

  /** The rules in force. */
  rules(): readonly RuleSetRuleT[] {
    return this.current;
  }

  /** Whether any rule listens to `monitor` (a monitor nobody listens to need not run). */
  wants(monitor: MonitorNameT): boolean {
    return (this.byMonitor.get(monitor)?.length ?? 0) > 0;
  }

  /**
   * Whether some rule of `monitor` listens to events of this `type`: it has no condition on
   * `type`, or one `equals` it — and it can match at all (a rule whose block list is empty cannot).
   * A monitor skips work for event types nobody listens to.
   */
  wantsType(monitor: MonitorNameT, type: string): boolean {
    return (this.byMonitor.get(monitor) ?? []).some((r) => {
      if (neverMatches(r.match)) return false;
      const onType = (r.match.all ?? []).filter((c) => c.field === 'type' && c.equals !== undefined);
      return onType.length === 0 || onType.every((c) => c.equals === type);
    });
  }

  /**
   * Whether some rule of `monitor` could match an event with these fields, conditions on the
   * `unknown` fields taken as holding (thresholds are not consulted): a cheap test before a monitor
   * fills in fields that cost a walk of /proc.
   */
  mayMatch(monitor: MonitorNameT, fields: Record<string, unknown>, unknown: ReadonlySet<string>): boolean {
    return (this.byMonitor.get(monitor) ?? []).some((r) => matchHolds(r.match, fields, unknown));
  }

  /** Match one event; returns how many rules it matched (after thresholds). */
  handle(event: MonitorEvent): number {
    let matched = 0;
    for (const rule of this.byMonitor.get(event.monitor) ?? []) {
      if (!matchHolds(rule.match, event.fields)) continue;
      let count = 1;
      let extra: Record<string, unknown> = {};
      if (rule.threshold) {
        const tracker = this.thresholds.get(`${rule.name}\u0000${JSON.stringify(rule.threshold)}`);
        if (!tracker) continue;
        const outcome = tracker.add(keyOf(rule.threshold.by, event.fields), event.at, event.summary);
        if (!outcome.fire) continue;
        count = outcome.count;
        if (outcome.preceding.length > 0) extra = { threshold: rule.threshold, preceding: outcome.preceding };
      }
      matched += 1;
      const key = keyOf(rule.coalesce.key, event.fields);
      const leading = this.coalescer.add(rule, key, event, count, extra);
      if (leading && this.options.onDetection) {
        try {
          this.options.onDetection({ rule, key, event });
        } catch (error) {
          this.options.log?.error({ err: error, rule: rule.name }, 'automated response failed to start');
        }
      }
    }
    return matched;
  }

  /** Send what is held and stop the flush timer. */
  stop(): void {
    this.coalescer.stop();
  }
}
