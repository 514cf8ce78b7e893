import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { backoffDelay, reconnectDelay } from './backoff.js';
import { Outbox } from './outbox.js';

const dir = () => mkdtempSync(join(tmpdir(), 'vigil-outbox-'));

describe('outbox', () => {
  it('keeps items in order until acknowledged, across a reopen (agent restart)', () => {
    const d = dir();
    const a = new Outbox(d);
    const ids = [1, 2, 3].map((n) => a.enqueue('test.event', { n }));
    a.ack([ids[0] as string]);
    a.close();
    const b = new Outbox(d);
    expect(b.peek().map((i) => i.body)).toEqual([{ n: 2 }, { n: 3 }]);
    expect(b.depth()).toBe(2);
    b.close();
  });

  it('evicts the oldest low-priority items first when over its size, counts them and reports it', () => {
    const o = new Outbox(dir(), 300);
    const keep = o.enqueue('command.result', { important: 'x'.repeat(40) }, 'high');
    for (let i = 0; i < 10; i++) o.enqueue('test.event', { i, pad: 'y'.repeat(40) }, 'low');
    const items = o.peek(1000);
    expect(items.map((i) => i.id)).toContain(keep);
    expect(o.evicted()).toBeGreaterThan(0);
    expect(
      items.some(
        (i) => i.kind === 'security.event' && (i.body as { type: string }).type === 'outbox_evicted',
      ),
    ).toBe(true);
    const lows = items.filter((i) => i.kind === 'test.event').map((i) => (i.body as { i: number }).i);
    expect(lows).toEqual([...lows].sort((x, y) => x - y));
    expect(lows[lows.length - 1]).toBe(9);
    o.close();
  });

  it('remembers command ids across a reopen until they expire', () => {
    const d = dir();
    const a = new Outbox(d);
    a.remember('cmd-live-00001', Date.now() + 60_000);
    a.remember('cmd-dead-00001', Date.now() - 10 * 60_000);
    a.close();
    const b = new Outbox(d);
    expect(b.seen('cmd-live-00001')).toBe(true);
    expect(b.seen('cmd-dead-00001')).toBe(false);
    b.close();
  });
});

describe('backoff', () => {
  it('uses full jitter below an exponentially growing, capped ceiling', () => {
    const o = { baseMs: 1000, capMs: 60_000 };
    expect(backoffDelay(0, o, () => 0.999)).toBe(999);
    expect(backoffDelay(3, o, () => 0.5)).toBe(4000);
    expect(backoffDelay(20, o, () => 0.999)).toBe(59_940);
    const samples = Array.from({ length: 2000 }, () => backoffDelay(5, o));
    expect(Math.min(...samples)).toBeLessThan(3200);
    expect(Math.max(...samples)).toBeGreaterThan(28_800);
    expect(samples.every((s) => s >= 0 && s < 32_000)).toBe(true);
  });
});

describe('reconnect spread after a server restart', () => {
  it('spreads the first reconnect of a fleet over half the cap instead of one second', () => {
    const o = { baseMs: 1000, capMs: 60_000 };
    const fleet = Array.from({ length: 10_000 }, () => reconnectDelay(0, true, o));
    const perSecond = new Map<number, number>();
    for (const d of fleet)
      perSecond.set(Math.floor(d / 1000), (perSecond.get(Math.floor(d / 1000)) ?? 0) + 1);
    expect(Math.max(...fleet)).toBeLessThan(30_000);
    expect(perSecond.size).toBeGreaterThanOrEqual(29);
    // No second receives more than about twice its fair share (10,000 agents over 30 s).
    expect(Math.max(...perSecond.values())).toBeLessThan((10_000 / 30) * 2);
    // A connection that never came up retries on the normal exponential schedule.
    expect(reconnectDelay(0, false, o, () => 0.999)).toBe(999);
  });
});
