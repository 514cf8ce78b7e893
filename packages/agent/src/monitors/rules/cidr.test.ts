/** Address lists of rules: parsing entries, and membership for IPv4, IPv6 and IPv4-mapped addresses. */
import { describe, expect, it } from 'vitest';
import { inCidrList, parseCidr } from './cidr.js';
import { conditionHolds } from './match.js';

describe('in_cidr address lists', () => {
  it('parses addresses and CIDR blocks, and refuses anything else', () => {
    expect(parseCidr('203.0.113.9')).toEqual({ address: '203.0.113.9', prefix: 32, family: 'ipv4' });
    expect(parseCidr('198.51.100.0/24')).toEqual({ address: '198.51.100.0', prefix: 24, family: 'ipv4' });
    expect(parseCidr('2001:db8::/32')).toEqual({ address: '2001:db8::', prefix: 32, family: 'ipv6' });
    for (const bad of [
      '203.0.113',
      '10.0.0.0/33',
      '2001:db8::/129',
      'evil.example',
      '10.0.0.0/',
      '10.0.0.0/a',
    ])
      expect(parseCidr(bad), bad).toBeNull();
  });

  it('finds an address inside a block, and only there', () => {
    const list = ['198.51.100.0/24', '203.0.113.9', '2001:db8::/32'];
    expect(inCidrList('198.51.100.77', list)).toBe(true);
    expect(inCidrList('198.51.101.1', list)).toBe(false);
    expect(inCidrList('203.0.113.9', list)).toBe(true);
    expect(inCidrList('203.0.113.10', list)).toBe(false);
    expect(inCidrList('2001:db8:1::5', list)).toBe(true);
    expect(inCidrList('2001:db9::5', list)).toBe(false);
    // The kernel lists IPv4 peers of IPv6 sockets as mapped addresses.
    expect(inCidrList('::ffff:198.51.100.3', list)).toBe(true);
    expect(inCidrList('not an ip', list)).toBe(false);
    expect(inCidrList('198.51.100.77', [])).toBe(false);
  });

  it('is a rule condition: the field must be an address in the list', () => {
    const c = { field: 'remote_ip', in_cidr: ['10.0.0.0/8'] };
    expect(conditionHolds(c, { remote_ip: '10.1.2.3' })).toBe(true);
    expect(conditionHolds(c, { remote_ip: '11.1.2.3' })).toBe(false);
    expect(conditionHolds(c, {})).toBe(false);
    expect(conditionHolds(c, { remote_ip: 167837955 })).toBe(false);
  });
});
