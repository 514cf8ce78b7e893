/** The console event bus: per-account delivery, events held until their transaction commits. */
import type { AlertEventT, ConsoleEventT } from '@vigil/protocol';
import { describe, expect, it } from 'vitest';
import { ConsoleEvents } from './console-events.js';

const at = '2026-12-07T12:00:00.000Z';
const presence = (device_id: string): ConsoleEventT => ({
  type: 'device.presence',
  device_id,
  status: 'online',
  at,
});
const alert = (alert_id: string, type: AlertEventT['type'], count: number): ConsoleEventT => ({
  type,
  alert_id,
  device_id: null,
  rule: 'test.rule',
  severity: 'low',
  status: 'open',
  count,
  at,
});

/** A bus and what each of two accounts' listeners received. */
function setup() {
  const bus = new ConsoleEvents();
  const seen: Record<'a' | 'b', ConsoleEventT[]> = { a: [], b: [] };
  const off = {
    a: bus.subscribe('account-a', (e) => seen.a.push(e)),
    b: bus.subscribe('account-b', (e) => seen.b.push(e)),
  };
  return { bus, seen, off };
}

describe('ConsoleEvents', () => {
  it("delivers an account's events to its listeners only, until they unsubscribe", () => {
    const { bus, seen, off } = setup();
    bus.publish('account-a', presence('d1'));
    bus.publish('account-b', presence('d2'));
    expect(seen.a).toEqual([presence('d1')]);
    expect(seen.b).toEqual([presence('d2')]);
    off.a();
    bus.publish('account-a', presence('d3'));
    expect(seen.a).toHaveLength(1);
    expect(bus.listenerCount('account-a')).toBe(0);
    expect(bus.listenerCount('account-b')).toBe(1);
  });

  it('keeps publishing to the other listeners when one throws', () => {
    const { bus, seen } = setup();
    bus.subscribe('account-a', () => {
      throw new Error('a broken stream');
    });
    const late: ConsoleEventT[] = [];
    bus.subscribe('account-a', (e) => late.push(e));
    expect(() => bus.publish('account-a', presence('d1'))).not.toThrow();
    expect(seen.a).toHaveLength(1);
    expect(late).toHaveLength(1);
  });

  it('holds events of a transaction until it commits, once per subject in its latest state', () => {
    const { bus, seen } = setup();
    const trx = {};
    bus.publishAfter(trx, 'account-a', alert('x', 'alert.raised', 1));
    bus.publishAfter(trx, 'account-a', alert('x', 'alert.updated', 2));
    bus.publishAfter(trx, 'account-a', alert('y', 'alert.updated', 5));
    bus.publishAfter(trx, 'account-b', presence('d9'));
    expect(seen.a).toEqual([]);
    bus.committed(trx);
    // Raised and coalesced in one transaction: still news as raised, with the count it reached.
    expect(seen.a).toEqual([alert('x', 'alert.raised', 2), alert('y', 'alert.updated', 5)]);
    expect(seen.b).toEqual([presence('d9')]);
    bus.committed(trx);
    expect(seen.a).toHaveLength(2);
  });

  it('forgets events of a rolled-back savepoint or transaction, and publishes at once without one', () => {
    const { bus, seen } = setup();
    const trx = {};
    bus.publishAfter(trx, 'account-a', presence('kept'));
    const rollback = bus.savepoint(trx);
    bus.publishAfter(trx, 'account-a', presence('rolled-back'));
    rollback();
    bus.committed(trx);
    expect(seen.a).toEqual([presence('kept')]);

    const failed = {};
    bus.publishAfter(failed, 'account-a', presence('never'));
    bus.discarded(failed);
    bus.committed(failed);
    expect(seen.a).toHaveLength(1);

    bus.publishAfter(undefined, 'account-a', presence('now'));
    expect(seen.a).toEqual([presence('kept'), presence('now')]);
  });
});
