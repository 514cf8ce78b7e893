import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findProgram } from './command-runner.js';
import { createIptables, iptables } from './iptables.js';
import { collectAt, collectFixture, fixturePath } from './test-collect.js';

const recorded = createIptables(() => readFileSync(fixturePath('iptables/iptables-save.txt'), 'utf8'));
const any = {
  src_port: '',
  dst_port: '',
  src_ip: '0.0.0.0',
  src_mask: '0.0.0.0',
  dst_ip: '0.0.0.0',
  dst_mask: '0.0.0.0',
};

describe('iptables', () => {
  it('parses iptables-save output into one row per rule with counters, policies and protocol numbers', () => {
    const { rows } = collectFixture(recorded, 'iptables');
    expect(rows).toEqual([
      {
        filter_name: 'filter',
        chain: 'INPUT',
        policy: 'DROP',
        target: 'ACCEPT',
        protocol: 0,
        ...any,
        iniface: 'lo',
        outiface: 'all',
        match: '',
        packets: 10,
        bytes: 600,
      },
      {
        filter_name: 'filter',
        chain: 'INPUT',
        policy: 'DROP',
        target: 'ACCEPT',
        protocol: 6,
        ...any,
        dst_port: '22',
        src_ip: '10.0.0.0',
        src_mask: '255.0.0.0',
        iniface: 'all',
        outiface: 'all',
        match: 'tcp comment',
        packets: 42,
        bytes: 2520,
      },
      {
        filter_name: 'filter',
        chain: 'INPUT',
        policy: 'DROP',
        target: 'REJECT',
        protocol: 132,
        ...any,
        src_port: '1000:2000',
        src_ip: '!192.168.1.5',
        src_mask: '255.255.255.255',
        iniface: 'all',
        outiface: 'all',
        match: 'sctp',
        packets: 0,
        bytes: 0,
      },
      {
        filter_name: 'filter',
        chain: 'DOCKER-USER',
        policy: '',
        target: 'RETURN',
        protocol: 0,
        ...any,
        dst_ip: '172.17.0.0',
        dst_mask: '255.255.0.0',
        iniface: 'all',
        outiface: 'eth0',
        match: '',
        packets: 3,
        bytes: 180,
      },
      { filter_name: 'filter', chain: 'FORWARD', policy: 'DROP', target: null, packets: null, bytes: null },
      { filter_name: 'filter', chain: 'OUTPUT', policy: 'ACCEPT', target: null, packets: null, bytes: null },
      {
        filter_name: 'nat',
        chain: 'POSTROUTING',
        policy: 'ACCEPT',
        target: 'MASQUERADE',
        protocol: 0,
        ...any,
        src_ip: '172.17.0.0',
        src_mask: '255.255.0.0',
        iniface: 'all',
        outiface: '!docker0',
        match: '',
        packets: 1,
        bytes: 60,
      },
      { filter_name: 'nat', chain: 'PREROUTING', policy: 'ACCEPT', target: null, packets: null, bytes: null },
    ]);
  });

  it('keeps only the tables the query names', () => {
    const { rows } = collectFixture(recorded, 'iptables', { equals: { filter_name: ['nat'] } });
    expect(rows.map((r) => r.chain)).toEqual(['POSTROUTING', 'PREROUTING']);
  });

  it('never runs the command against a fixture root', () => {
    const { rows, warnings } = collectFixture(iptables, 'iptables');
    expect(rows).toEqual([]);
    expect(warnings[0]).toMatch(/reads the live host only/);
  });

  it.skipIf(findProgram('iptables-save') !== null)(
    'is empty with a warning on this machine without iptables-save',
    () => {
      const { rows, warnings } = collectAt(iptables, '/');
      expect(rows).toEqual([]);
      expect(warnings).toEqual(['iptables-save is not installed']);
    },
  );

  it.skipIf(findProgram('iptables-save') === null)(
    'reads this machine rules or explains why not (needs iptables-save)',
    () => {
      const { rows, warnings } = collectAt(iptables, '/');
      expect(rows.length > 0 || warnings.length > 0).toBe(true);
    },
  );
});
