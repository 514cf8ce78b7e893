import { describe, expect, it } from 'vitest';
import {
  parseIp,
  parseNetwork,
  serverAddressesIn,
  touchesLoopbackOrUnspecified,
  withoutNested,
} from './ip-address.js';

describe('IP addresses and networks for the network actions', () => {
  it('writes addresses in one canonical form', () => {
    expect(parseIp('10.0.0.1')).toEqual({ address: '10.0.0.1', family: 4 });
    expect(parseIp('FD00:0231:0000::0003')).toEqual({ address: 'fd00:231::3', family: 6 });
    expect(parseIp('::ffff:192.0.2.9')).toEqual({ address: '192.0.2.9', family: 4 });
    expect(parseIp('0:0:0:0:0:ffff:c000:0209')).toEqual({ address: '192.0.2.9', family: 4 });
    for (const bad of ['010.0.0.1', '10.0.0.1 ', 'fe80::1%eth0', '1.2.3', '', 7, undefined]) {
      expect(parseIp(bad)).toBeUndefined();
    }
  });

  it('normalises networks to their network address and refuses bad prefixes', () => {
    expect(parseNetwork('10.1.2.3/16')).toMatchObject({
      address: '10.1.0.0',
      prefix: 16,
      key: '10.1.0.0/16',
    });
    expect(parseNetwork('10.1.2.3/32')).toMatchObject({ key: '10.1.2.3' });
    expect(parseNetwork('2001:db8:1:2:3::9/48')).toMatchObject({
      address: '2001:db8:1::',
      key: '2001:db8:1::/48',
    });
    expect(parseNetwork('2001:db8::1/128')).toMatchObject({ key: '2001:db8::1' });
    expect(parseNetwork('0.0.0.0/0')).toMatchObject({ key: '0.0.0.0/0' });
    for (const bad of [
      '10.0.0.0/33',
      '10.0.0.0/08',
      '10.0.0.0/',
      '10.0.0.0/8/8',
      '::ffff:10.0.0.0/104',
      'fd00::/129',
    ]) {
      expect(parseNetwork(bad)).toBeUndefined();
    }
  });

  it('finds loopback, unspecified and server addresses inside networks', () => {
    const net = (s: string) => parseNetwork(s)!;
    expect(touchesLoopbackOrUnspecified(net('127.8.0.0/16'))).toBe(true);
    expect(touchesLoopbackOrUnspecified(net('96.0.0.0/3'))).toBe(true);
    expect(touchesLoopbackOrUnspecified(net('128.0.0.0/1'))).toBe(false);
    expect(touchesLoopbackOrUnspecified(net('::/0'))).toBe(true);
    expect(touchesLoopbackOrUnspecified(net('2001:db8::/32'))).toBe(false);
    expect(serverAddressesIn(net('10.0.0.0/8'), ['10.9.9.9', '192.0.2.1', 'not-an-ip'])).toEqual([
      '10.9.9.9',
    ]);
    expect(serverAddressesIn(net('2001:db8::/32'), ['2001:DB8::5'])).toEqual(['2001:db8::5']);
  });

  it('drops networks nested in broader ones', () => {
    const nets = ['10.0.0.5', '10.0.0.0/24', '10.1.0.0/16', '10.1.2.0/24', 'fd00::1'].map(
      (s) => parseNetwork(s)!,
    );
    expect(withoutNested(nets).map((n) => n.key)).toEqual(['10.1.0.0/16', '10.0.0.0/24', 'fd00::1']);
  });
});
