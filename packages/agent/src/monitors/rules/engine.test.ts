import type { AlertEventBodyT, RuleSetRuleT } from '@vigil/protocol';
import { describe, expect, it } from 'vitest';
import type { MonitorEvent } from '../types.js';
import { MAX_LEADS_PER_MINUTE, MAX_LISTED } from './coalescer.js';
import { type Detection, RuleEngine } from './engine.js';
import { conditionHolds, keyOf, matchHolds } from './match.js';

const bruteForce: RuleSetRuleT = {
  name: 'Linux.Auth.SshBruteForce',
  title: 'SSH brute force',
  severity: 'high',
  attack: ['T1110.001'],
  monitor: 'auth',
  match: { all: [{ field: 'type', equals: 'ssh_failed' }] },
  threshold: { count: 5, window_s: 60, by: ['source_ip'] },
  coalesce: { key: ['source_ip'], window_s: 3600 },
};

const binaries: RuleSetRuleT = {
  name: 'Linux.Files.SystemBinaryChanged',
  title: 'System binaries changed',
  severity: 'medium',
  attack: ['T1554'],
  monitor: 'files',
  match: { all: [{ field: 'category', equals: 'binaries' }] },
  coalesce: { key: ['dir'], window_s: 3600 },
};

function failed(ip: string, at: number): MonitorEvent {
  return {
    monitor: 'auth',
    at,
    fields: { type: 'ssh_failed', source_ip: ip, user: 'root' },
    summary: `${ip} (root)`,
    context: { line: `Failed password for root from ${ip}` },
  };
}

function harness(rules: RuleSetRuleT[]) {
  let now = 1_000_000;
  const emitted: AlertEventBodyT[] = [];
  const detections: Detection[] = [];
  const engine = new RuleEngine({
    emit: (b) => emitted.push(b),
    onDetection: (d) => detections.push(d),
    flushMs: () => 60_000,
    now: () => now,
  });
  engine.setRules(rules);
  return {
    engine,
    emitted,
    detections,
    advance: (ms: number) => {
      now += ms;
      return now;
    },
    now: () => now,
  };
}

describe('rule conditions', () => {
  it('evaluates every kind of test, on dotted paths too', () => {
    const f = { type: 'x', exe: '/tmp/a', size: 10, file: { mode: '4755' }, empty: null };
    expect(conditionHolds({ field: 'type', equals: 'x' }, f)).toBe(true);
    expect(conditionHolds({ field: 'type', not_equals: 'x' }, f)).toBe(false);
    expect(conditionHolds({ field: 'exe', glob: ['/var/tmp/*', '/tmp/*'] }, f)).toBe(true);
    expect(conditionHolds({ field: 'exe', glob: ['/tmp'] }, f)).toBe(false);
    expect(conditionHolds({ field: 'exe', not_glob: ['/tmp/*'] }, f)).toBe(false);
    expect(conditionHolds({ field: 'type', in: ['y', 'x'] }, f)).toBe(true);
    expect(conditionHolds({ field: 'type', not_in: ['x'] }, f)).toBe(false);
    expect(conditionHolds({ field: 'size', gte: 10, lte: 10 }, f)).toBe(true);
    expect(conditionHolds({ field: 'size', gte: 11 }, f)).toBe(false);
    expect(conditionHolds({ field: 'file.mode', contains: '47' }, f)).toBe(true);
    expect(conditionHolds({ field: 'empty', exists: false }, f)).toBe(true);
    expect(conditionHolds({ field: 'missing', exists: true }, f)).toBe(false);
    expect(conditionHolds({ field: 'missing', in: ['x'] }, f)).toBe(false);
    expect(
      matchHolds(
        {
          any: [
            { field: 'type', equals: 'y' },
            { field: 'size', gte: 1 },
          ],
        },
        f,
      ),
    ).toBe(true);
    expect(
      matchHolds({ all: [{ field: 'type', equals: 'x' }], any: [{ field: 'type', equals: 'y' }] }, f),
    ).toBe(false);
    expect(keyOf(['type', 'missing', 'size'], f)).toBe('x|-|10');
  });
});

describe('rule engine', () => {
  it('holds failures back until the threshold, then folds every further one into one alert per source', () => {
    const h = harness([bruteForce]);
    for (let i = 0; i < 4; i++) h.engine.handle(failed('10.0.0.7', h.advance(1000)));
    expect(h.emitted).toEqual([]);
    h.engine.handle(failed('10.0.0.7', h.advance(1000)));
    expect(h.emitted).toHaveLength(1);
    expect(h.emitted[0]).toMatchObject({ rule: bruteForce.name, key: '10.0.0.7', count: 5, window_s: 3600 });
    expect(h.emitted[0]?.context.preceding).toHaveLength(5);
    expect(h.detections.map((d) => d.key)).toEqual(['10.0.0.7']);
    for (let i = 0; i < 15; i++) h.engine.handle(failed('10.0.0.7', h.advance(100)));
    expect(h.emitted).toHaveLength(1);
    h.engine.coalescer.flush();
    expect(h.emitted).toHaveLength(2);
    expect(h.emitted[1]).toMatchObject({ key: '10.0.0.7', count: 15 });
    expect((h.emitted[1]!.context.occurrences as string[]).length).toBe(15);
    expect(h.emitted.reduce((n, e) => n + e.count, 0)).toBe(20);
    // Responses run once per source and window, not for every repeat.
    expect(h.detections).toHaveLength(1);
  });

  it('keeps sources apart and forgets failures older than the window', () => {
    const h = harness([bruteForce]);
    for (let i = 0; i < 4; i++) h.engine.handle(failed('10.0.0.8', h.advance(1000)));
    h.engine.handle(failed('10.0.0.9', h.advance(1000)));
    h.advance(61_000);
    h.engine.handle(failed('10.0.0.8', h.now()));
    expect(h.emitted).toEqual([]);
  });

  it('coalesces a burst of 500 changed files in one directory into a leading item and one listed item', () => {
    const h = harness([binaries]);
    for (let i = 0; i < 500; i++)
      h.engine.handle({
        monitor: 'files',
        at: h.advance(1),
        fields: { category: 'binaries', dir: '/usr/bin', path: `/usr/bin/tool${i}`, kind: 'modified' },
        summary: `/usr/bin/tool${i} modified`,
        context: {},
      });
    h.engine.stop();
    expect(h.emitted.map((e) => e.count)).toEqual([1, 499]);
    expect(h.emitted[1]?.context.occurrences).toHaveLength(MAX_LISTED);
    expect(h.emitted[1]?.context.occurrences_omitted).toBe(499 - MAX_LISTED);
    expect(h.emitted[1]?.title).toMatch(/^System binaries changed: \/usr\/bin\/tool499 modified$/);
  });

  it('starts a new window after the coalescing window and ignores events of other monitors', () => {
    const h = harness([binaries]);
    const ev = (at: number): MonitorEvent => ({
      monitor: 'files',
      at,
      fields: { category: 'binaries', dir: '/usr/bin' },
      summary: 'x',
      context: {},
    });
    h.engine.handle(ev(h.advance(1)));
    h.engine.handle({ ...ev(h.advance(1)), monitor: 'auth' });
    h.engine.handle(ev(h.advance(3600_000)));
    expect(h.emitted.map((e) => e.count)).toEqual([1, 1]);
    expect(h.detections).toHaveLength(2);
    expect(h.engine.wants('files')).toBe(true);
    expect(h.engine.wants('processes')).toBe(false);
  });

  it('opens at most MAX_LEADS_PER_MINUTE alerts of one rule a minute; more new keys fold into one overflow item', () => {
    const cron: RuleSetRuleT = {
      ...binaries,
      name: 'Linux.Persistence.CronJobChanged',
      coalesce: { key: ['path'], window_s: 3600 },
    };
    const h = harness([cron]);
    const n = MAX_LEADS_PER_MINUTE + 40;
    for (let i = 0; i < n; i++)
      h.engine.handle({
        monitor: 'files',
        at: h.advance(1),
        fields: { category: 'binaries', path: `/etc/cron.d/job${i}` },
        summary: `/etc/cron.d/job${i} created`,
        context: {},
      });
    h.engine.stop();
    const leading = h.emitted.filter((e) => e.key !== '*');
    const overflow = h.emitted.filter((e) => e.key === '*');
    expect(leading).toHaveLength(MAX_LEADS_PER_MINUTE);
    expect(overflow).toHaveLength(1);
    expect(overflow[0]?.count).toBe(40);
    expect(overflow[0]?.context.occurrences).toHaveLength(40);
    expect(h.detections).toHaveLength(MAX_LEADS_PER_MINUTE);
    // The next minute, new keys open alerts again.
    h.engine.handle({
      monitor: 'files',
      at: h.advance(60_000),
      fields: { category: 'binaries', path: '/etc/cron.d/late' },
      summary: 'late',
      context: {},
    });
    expect(h.emitted.at(-1)?.key).toBe('/etc/cron.d/late');
  });
});
