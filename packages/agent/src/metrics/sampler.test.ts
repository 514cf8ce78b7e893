import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileValidator, MetricsSampleBody } from '@vigil/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { Outbox } from '../daemon/outbox.js';
import type { ReadSources } from './read-counters.js';
import { MetricsSampler } from './sampler.js';

const HOST = fileURLToPath(new URL('./fixtures/host', import.meta.url));
const validBody = compileValidator(MetricsSampleBody);
const quiet = { info() {}, warn() {}, error() {} };
const cleanup: Array<() => void> = [];

afterEach(() => {
  for (const c of cleanup.splice(0)) c();
});

/** A sampler on the fixture host with a real outbox and a clock the test moves. */
function setup(options: { batchSamples?: number } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-sampler-'));
  const outbox = new Outbox(dir);
  const clock = { now: 1_700_000_000_000, mono: 0 };
  const sources: ReadSources = {
    now: () => clock.now,
    mono: () => clock.mono,
    self: () => ({ cpuMicros: clock.mono * 10, rss: 1_000_000 }),
  };
  const logs: string[] = [];
  const log = { ...quiet, info: (_o: object, m?: string) => logs.push(m ?? '') };
  const sampler = new MetricsSampler({ outbox, log, root: HOST, sources, ...options });
  const advance = (ms: number) => {
    clock.now += ms;
    clock.mono += ms;
  };
  cleanup.push(() => {
    sampler.stop();
    outbox.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const items = () => outbox.peek().filter((i) => i.kind === 'metrics.sample');
  return { sampler, outbox, clock, advance, items, logs };
}

describe('MetricsSampler', () => {
  it('starts at the default 60 s and puts several samples in one item at that rate', () => {
    const { sampler, advance, items } = setup();
    sampler.start();
    expect(sampler.intervalS).toBe(60);
    for (let i = 0; i < 7; i++) {
      advance(60_000);
      sampler.sampleOnce();
    }
    const queued = items();
    expect(queued).toHaveLength(1);
    const body = queued[0]?.body as { samples: Array<{ ts: number; interval_s: number }> };
    expect(validBody.check(body)).toBe(true);
    expect(body.samples.map((s) => s.ts)).toEqual([1, 2, 3, 4, 5].map((n) => 1_700_000_000_000 + n * 60_000));
    expect(body.samples.every((s) => s.interval_s === 60)).toBe(true);
    expect(sampler.pendingCount).toBe(2);
  });

  it('sends what waits as soon as a faster rate starts, then every sample at once', () => {
    const { sampler, advance, items, clock } = setup();
    sampler.start();
    advance(60_000);
    sampler.sampleOnce();
    advance(60_000);
    sampler.sampleOnce();
    expect(items()).toHaveLength(0);
    sampler.setRate(1, clock.now + 120_000);
    expect(sampler.intervalS).toBe(1);
    expect(sampler.leaseUntil).toBe(clock.now + 120_000);
    expect(items().map((i) => (i.body as { samples: unknown[] }).samples.length)).toEqual([2]);
    advance(1000);
    sampler.sampleOnce();
    advance(1000);
    sampler.sampleOnce();
    const sizes = items().map((i) => (i.body as { samples: Array<{ interval_s: number }> }).samples);
    expect(sizes.map((s) => s.length)).toEqual([2, 1, 1]);
    expect(sizes[2]?.[0]?.interval_s).toBe(1);
  });

  it('falls back to the default rate when the lease ends', async () => {
    const { sampler, clock, logs } = setup();
    sampler.start();
    sampler.setRate(1, clock.now + 50);
    expect(sampler.intervalS).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(sampler.intervalS).toBe(60);
    expect(sampler.leaseUntil).toBeNull();
    expect(logs).toContain('metrics back to the default rate');
  });

  it('ignores a lease that already ended and caps a lease at one hour', () => {
    const { sampler, clock } = setup();
    sampler.start();
    sampler.setRate(1, clock.now - 1);
    expect(sampler.intervalS).toBe(60);
    sampler.setRate(1, clock.now + 10 * 3600_000);
    expect(sampler.leaseUntil).toBe(clock.now + 3600_000);
  });

  it('goes back to the default when told (the channel dropped) and keeps an open-ended rate until then', () => {
    const { sampler } = setup();
    sampler.start();
    sampler.setRate(5);
    expect(sampler.intervalS).toBe(5);
    expect(sampler.leaseUntil).toBeNull();
    sampler.resetRate('channel down');
    expect(sampler.intervalS).toBe(60);
  });

  it('queues pending samples when it stops, so a restart loses nothing', () => {
    const { sampler, advance, items } = setup({ batchSamples: 10 });
    sampler.start();
    for (let i = 0; i < 3; i++) {
      advance(60_000);
      sampler.sampleOnce();
    }
    expect(items()).toHaveLength(0);
    sampler.stop();
    expect(items().map((i) => (i.body as { samples: unknown[] }).samples.length)).toEqual([3]);
  });

  it('samples on its own schedule at the rate in force', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-sampler-'));
    const outbox = new Outbox(dir);
    // Real clocks: the schedule runs on timers.
    const sampler = new MetricsSampler({ outbox, log: quiet, root: HOST });
    cleanup.push(() => {
      sampler.stop();
      outbox.close();
      rmSync(dir, { recursive: true, force: true });
    });
    sampler.start();
    sampler.setRate(1, Date.now() + 60_000);
    const deadline = Date.now() + 10_000;
    while (outbox.peek().length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const samples = outbox.peek().flatMap((i) => (i.body as { samples: Array<{ ts: number }> }).samples);
    expect(samples.length).toBeGreaterThanOrEqual(2);
    expect(samples[1]!.ts - samples[0]!.ts).toBeGreaterThanOrEqual(900);
  });
});
