import { describe, expect, it } from 'vitest';
import { systemControls } from './system-controls.js';
import { collectAt, collectFixture } from './test-collect.js';

describe('system_controls', () => {
  it('walks /proc/sys and pairs each value with the last configured one (sysctl.d, then sysctl.conf)', () => {
    const { rows, warnings } = collectFixture(systemControls, 'system_controls');
    expect(rows).toEqual([
      { name: 'kernel.hostname', subsystem: 'kernel', current_value: 'web01', config_value: 'fromconf' },
      { name: 'net.ipv4.conf.eth0.rp_filter', subsystem: 'net', current_value: '1', config_value: '2' },
      { name: 'net.ipv4.ip_forward', subsystem: 'net', current_value: '0', config_value: '1' },
      { name: 'net.ipv4.tcp_rmem', subsystem: 'net', current_value: '4096 16384 4194304', config_value: '' },
    ]);
    expect(warnings).toEqual([]);
  });

  it('reads only the names the query asks for', () => {
    const { rows } = collectFixture(systemControls, 'system_controls', {
      equals: { name: ['net.ipv4.ip_forward', 'no.such.key'] },
    });
    expect(rows.map((r) => r.name)).toEqual(['net.ipv4.ip_forward']);
  });

  it('reads live kernel settings on this machine', () => {
    const { rows } = collectAt(systemControls, '/', { equals: { name: ['kernel.ostype'] } });
    expect(rows).toEqual([
      {
        name: 'kernel.ostype',
        subsystem: 'kernel',
        current_value: 'Linux',
        config_value: expect.any(String),
      },
    ]);
  });
});
