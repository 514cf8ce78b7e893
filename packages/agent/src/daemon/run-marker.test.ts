/** The run marker on a real state directory: a clean stop leaves nothing to report, a missing one does. */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunMarker } from './run-marker.js';

describe('run marker', () => {
  let state: string;
  beforeEach(() => {
    state = mkdtempSync(join(tmpdir(), 'vigil-marker-'));
  });
  afterEach(() => rmSync(state, { recursive: true, force: true }));

  it('reports nothing after a clean stop, and the previous run after an unclean one', () => {
    const first = new RunMarker(state, '1.0.0');
    expect(first.begin()).toBeNull();
    const written = JSON.parse(readFileSync(join(state, 'run.json'), 'utf8'));
    expect(written).toMatchObject({ pid: process.pid, version: '1.0.0' });
    first.end();
    expect(existsSync(join(state, 'run.json'))).toBe(false);

    const crashed = new RunMarker(state, '1.0.0');
    expect(crashed.begin()).toBeNull();
    const crashedRecord = JSON.parse(readFileSync(join(state, 'run.json'), 'utf8'));
    // No end(): the process "died". The next start finds the marker.
    const next = new RunMarker(state, '1.0.1');
    const alert = next.begin();
    next.end();
    expect(alert).toMatchObject({
      rule: 'agent.restarted',
      severity: 'medium',
      key: 'restart',
      count: 1,
      context: {
        previous_run: { pid: process.pid, version: '1.0.0', started_at: crashedRecord.started_at },
        current_run: { version: '1.0.1' },
        host_restarted: false,
      },
    });
    expect(alert?.title).toMatch(
      /^Agent restarted after an unclean stop: it was killed or crashed \(no clean stop\) — previous run pid \d+, last alive /,
    );
  });

  it('says when the host restarted too (another boot id), with a lower severity', () => {
    writeFileSync(
      join(state, 'run.json'),
      JSON.stringify({
        pid: 4242,
        started_at: '2026-01-01T00:00:00.000Z',
        alive_at: '2026-01-01T05:00:00.000Z',
        version: '0.9.0',
        boot_id: '00000000-0000-0000-0000-000000000000',
      }),
    );
    const marker = new RunMarker(state, '1.0.0');
    const alert = marker.begin();
    marker.end();
    expect(alert?.severity).toBe('low');
    expect(alert?.context).toMatchObject({
      host_restarted: true,
      previous_run: { pid: 4242, alive_at: '2026-01-01T05:00:00.000Z' },
    });
    expect(alert?.title).toContain('the host restarted without stopping it');
  });

  it('reports a damaged marker as an unclean stop without details', () => {
    writeFileSync(join(state, 'run.json'), '{"pid":');
    const marker = new RunMarker(state, '1.0.0');
    const alert = marker.begin();
    marker.end();
    expect(alert).toMatchObject({
      rule: 'agent.restarted',
      severity: 'medium',
      context: { previous_run: { unreadable: true } },
    });
  });

  it('refreshes the alive time while the agent runs', async () => {
    const marker = new RunMarker(state, '1.0.0', 50);
    marker.begin();
    const before = JSON.parse(readFileSync(join(state, 'run.json'), 'utf8')).alive_at;
    await new Promise((r) => setTimeout(r, 200));
    const after = JSON.parse(readFileSync(join(state, 'run.json'), 'utf8')).alive_at;
    marker.end();
    expect(after > before).toBe(true);
  });
});
