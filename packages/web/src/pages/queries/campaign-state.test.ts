import { describe, expect, it } from 'vitest';
import type { CampaignEvent } from '../../api/types.js';
import { applyCampaignEvent, campaignColumns, initialCampaign } from './campaign-state.js';

const started = { id: 'q1', targeted: 2, online: 2, offline: 0, deadline_at: '2026-01-01T00:00:00.000Z' };
const rows = (device: string, columns: string[], data: unknown[][]): CampaignEvent => ({
  type: 'rows',
  device_id: device,
  hostname: `${device}.example`,
  columns,
  rows: data,
  warnings: [],
  truncated: false,
});

describe('live query state from stream events', () => {
  it('collects rows and statuses per device and unions the columns in first-seen order', () => {
    let s = initialCampaign(started);
    s = applyCampaignEvent(s, rows('a', ['pid', 'name'], [[1, 'init']]));
    s = applyCampaignEvent(s, { type: 'status', device_id: 'a', hostname: 'a.example', status: 'done' });
    s = applyCampaignEvent(
      s,
      rows(
        'b',
        ['name', 'path'],
        [
          ['sshd', '/usr/sbin/sshd'],
          ['cron', null],
        ],
      ),
    );
    s = applyCampaignEvent(s, {
      type: 'status',
      device_id: 'c',
      hostname: 'c.example',
      status: 'error',
      error: 'E_QUERY_TIMEOUT',
    });
    expect(campaignColumns(s)).toEqual(['pid', 'name', 'path']);
    expect(s.devices['a']).toMatchObject({ status: 'done', rows: 1 });
    expect(s.devices['b']).toMatchObject({ status: 'running', rows: 2 });
    expect(s.devices['c']).toMatchObject({ status: 'error', error: 'E_QUERY_TIMEOUT', rows: 0 });
    expect(s.summary).toBeNull();
  });

  it('ignores rows replayed after a reconnect and records the summary', () => {
    let s = initialCampaign(started);
    s = applyCampaignEvent(s, rows('a', ['x'], [[1]]));
    const again = applyCampaignEvent(s, rows('a', ['x'], [[1]]));
    expect(again).toBe(s);
    const summary = {
      targeted: 2,
      answered: 1,
      errors: 0,
      offline: 1,
      timeout: 0,
      rows: 1,
      latency_p50_ms: 12,
      latency_p99_ms: 12,
    };
    expect(applyCampaignEvent(s, { type: 'summary', summary }).summary).toEqual(summary);
  });
});
