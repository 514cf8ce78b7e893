import { cpus, hostname, totalmem } from 'node:os';
import { describe, expect, it } from 'vitest';
import { systemInfo } from './system-info.js';
import { collectAt, collectFixture } from './test-collect.js';

describe('system_info', () => {
  it('combines hostname, DMI strings, cpuinfo and meminfo', () => {
    const { rows, warnings } = collectFixture(systemInfo, 'system_info');
    expect(rows).toEqual([
      {
        hostname: 'web01.example.org',
        uuid: '4c4c4544-0042-3510-8057-b4c04f333432',
        cpu_type: 'x86_64',
        cpu_subtype: '85',
        cpu_brand: 'Intel(R) Xeon(R) Gold 6230',
        cpu_physical_cores: 2,
        cpu_logical_cores: 4,
        cpu_sockets: 2,
        cpu_microcode: '0x5003604',
        physical_memory: 2_048_000_000,
        hardware_vendor: 'Dell Inc.',
        hardware_model: 'PowerEdge R640',
        hardware_version: null,
        hardware_serial: 'ABC1234',
        board_vendor: 'Dell Inc.',
        board_model: '0H28RR',
        board_version: 'A01',
        board_serial: '..CN7475',
        computer_name: 'web01',
        local_hostname: 'web01',
      },
    ]);
    expect(warnings).toEqual([]);
  });

  it('matches what the kernel tells Node about this machine', () => {
    const { rows } = collectAt(systemInfo, '/');
    expect(rows[0]?.local_hostname).toBe(hostname());
    expect(rows[0]?.cpu_logical_cores).toBe(cpus().length);
    expect(rows[0]?.physical_memory).toBe(totalmem());
  });
});
