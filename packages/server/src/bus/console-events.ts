/**
 * The in-process bus of console events: the hub, enrollment, alerts and actions publish small
 * typed notices here, and each console event stream listens to its own account only. Events are
 * emitted under the account id, so a listener can never receive another account's events.
 * (A cluster needs these on the inter-node bus too; until then a console behind another node
 * sees only that node's events and falls back to polling for the rest.)
 */
import { EventEmitter } from 'node:events';
import type { ConsoleEventT } from '@vigil/protocol';

/** Whoever receives an account's events. */
export type ConsoleEventListener = (event: ConsoleEventT) => void;

/** Events a transaction produced, held until the transaction's owner says it committed. */
type Pending = Array<{ accountId: string; event: ConsoleEventT }>;

/** Publish console events per account; subscribe to one account's. */
export class ConsoleEvents {
  private readonly emitter = new EventEmitter();
  private readonly pending = new WeakMap<object, Pending>();

  constructor() {
    // One listener per open console tab of an account: many is normal, not a leak.
    this.emitter.setMaxListeners(0);
  }

  /** Tell the account's streams now. A listener that throws never stops the publisher. */
  publish(accountId: string, event: ConsoleEventT): void {
    for (const listener of this.emitter.listeners(accountId) as ConsoleEventListener[]) {
      try {
        listener(event);
      } catch {
        // A stream's own failure ends that stream; the change itself already happened.
      }
    }
  }

  /**
   * Publish once `trx` commits (its owner calls `committed(trx)`), or now when there is no
   * transaction: a console that refetched before the commit would not see the change.
   */
  publishAfter(trx: object | undefined, accountId: string, event: ConsoleEventT): void {
    if (!trx) {
      this.publish(accountId, event);
      return;
    }
    const list = this.pending.get(trx);
    if (list) list.push({ accountId, event });
    else this.pending.set(trx, [{ accountId, event }]);
  }

  /**
   * `trx` committed: publish what it held. Repeats of one alert or run inside a transaction (a
   * flood coalesced by ingest) go out once, as their last state.
   */
  committed(trx: object): void {
    const list = this.pending.get(trx);
    if (!list) return;
    this.pending.delete(trx);
    const last = new Map<string, { accountId: string; event: ConsoleEventT }>();
    for (const item of list) {
      const key = subjectOf(item.event);
      const before = last.get(key)?.event;
      last.delete(key);
      // An alert created and then coalesced in one transaction is still news as "raised".
      const event =
        before?.type === 'alert.raised' && item.event.type === 'alert.updated'
          ? { ...item.event, type: 'alert.raised' as const }
          : item.event;
      last.set(key, { accountId: item.accountId, event });
    }
    for (const { accountId, event } of last.values()) this.publish(accountId, event);
  }

  /** Where `trx`'s events stand now; the returned function forgets those added since (a savepoint rolled back). */
  savepoint(trx: object): () => void {
    const mark = this.pending.get(trx)?.length ?? 0;
    return () => {
      const list = this.pending.get(trx);
      if (list) list.length = mark;
    };
  }

  /** `trx` rolled back: forget what it held. */
  discarded(trx: object): void {
    this.pending.delete(trx);
  }

  /** Receive the account's events until the returned function is called. */
  subscribe(accountId: string, listener: ConsoleEventListener): () => void {
    this.emitter.on(accountId, listener);
    return () => this.emitter.off(accountId, listener);
  }

  /** How many streams listen to an account (tests prove streams clean up after themselves). */
  listenerCount(accountId: string): number {
    return this.emitter.listenerCount(accountId);
  }
}

/** What an event is about: later events about the same thing supersede earlier ones. */
function subjectOf(e: ConsoleEventT): string {
  switch (e.type) {
    case 'device.presence':
    case 'device.enrolled':
      return `${e.type}:${e.device_id}`;
    case 'alert.raised':
    case 'alert.updated':
      return `alert:${e.alert_id}`;
    case 'action.run':
      return `run:${e.run_id}`;
  }
}
