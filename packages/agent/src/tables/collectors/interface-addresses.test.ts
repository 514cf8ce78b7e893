import { networkInterfaces } from 'node:os';
import { describe, expect, it } from 'vitest';
import { createInterfaceAddresses, interfaceAddresses } from './interface-addresses.js';
import { collectAt, collectFixture } from './test-collect.js';

describe('interface_addresses', () => {
  const fixtureIpv4 = createInterfaceAddresses(() => [
    { interface: 'eth0', address: '192.168.0.10', netmask: '255.255.255.0' },
    { interface: 'lo', address: '127.0.0.1', netmask: '255.0.0.0' },
    { interface: 'wg0', address: '10.8.0.2', netmask: '255.255.255.255' },
  ]);

  it('joins injected IPv4 addresses with procfs IPv6 ones, broadcast only on broadcast links', () => {
    const { rows } = collectFixture(fixtureIpv4, 'interface_addresses');
    const v6 = { broadcast: null, point_to_point: null };
    expect(rows).toEqual([
      {
        interface: 'eth0',
        address: '192.168.0.10',
        mask: '255.255.255.0',
        broadcast: '192.168.0.255',
        point_to_point: null,
      },
      { interface: 'eth0', address: '2001:db8::2', mask: 'ffff:ffff:ffff:ffff::', ...v6 },
      { interface: 'eth0', address: 'fe80::5054:ff:fe12:3456%eth0', mask: 'ffff:ffff:ffff:ffff::', ...v6 },
      { interface: 'lo', address: '127.0.0.1', mask: '255.0.0.0', broadcast: null, point_to_point: null },
      { interface: 'lo', address: '::1', mask: 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', ...v6 },
      { interface: 'wg0', address: '10.8.0.2', mask: '255.255.255.255', broadcast: null, point_to_point: '' },
    ]);
  });

  it('does not report the live host IPv4 addresses for a fixture root', () => {
    const { rows, warnings } = collectFixture(interfaceAddresses, 'interface_addresses');
    expect(rows.every((r) => String(r.address).includes(':'))).toBe(true);
    expect(warnings[0]).toMatch(/only read on the live host/);
  });

  it('lists every IPv4 address the kernel reports on this machine', () => {
    const { rows } = collectAt(interfaceAddresses, '/');
    const expected = Object.entries(networkInterfaces()).flatMap(([name, list]) =>
      (list ?? []).filter((a) => a.family === 'IPv4').map((a) => `${name} ${a.address}`),
    );
    const v4 = rows.filter((r) => !String(r.address).includes(':')).map((r) => `${r.interface} ${r.address}`);
    expect(v4.sort()).toEqual(expected.sort());
    expect(v4).toContain('lo 127.0.0.1');
  });
});
