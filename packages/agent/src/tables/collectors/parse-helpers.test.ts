import { describe, expect, it } from 'vitest';
import {
  contentLines,
  hexToIpv4,
  hexToIpv6,
  ipv4MaskToPrefix,
  ipv4PrefixToMask,
  ipv6PrefixToMask,
  parseEnvFile,
  parseIni,
  parseStanzas,
  toInt,
  unquote,
} from './parse-helpers.js';

describe('parse helpers', () => {
  it('parses integers strictly', () => {
    expect(toInt(' 42\n')).toBe(42);
    expect(toInt('-1')).toBe(-1);
    expect(toInt('4.2')).toBeNull();
    expect(toInt('')).toBeNull();
    expect(toInt('99999999999999999999')).toBeNull();
  });

  it('decodes procfs addresses', () => {
    expect(hexToIpv4('0100A8C0')).toBe('192.168.0.1');
    expect(hexToIpv6('00000000000000000000000000000001')).toBe('::1');
    expect(hexToIpv6('20010db8000000010000000000000002')).toBe('2001:db8:0:1::2');
    expect(hexToIpv6('fe80000000000000505400fffe123456')).toBe('fe80::5054:ff:fe12:3456');
    expect(hexToIpv6('20010db8000100010001000100010001')).toBe('2001:db8:1:1:1:1:1:1');
  });

  it('converts between prefix lengths and masks', () => {
    expect(ipv4PrefixToMask(24)).toBe('255.255.255.0');
    expect(ipv4PrefixToMask(0)).toBe('0.0.0.0');
    expect(ipv4PrefixToMask(32)).toBe('255.255.255.255');
    expect(ipv4MaskToPrefix('255.255.240.0')).toBe(20);
    expect(ipv6PrefixToMask(64)).toBe('ffff:ffff:ffff:ffff::');
    expect(ipv6PrefixToMask(57)).toBe('ffff:ffff:ffff:ff80::');
  });

  it('reads shell-style and comment-bearing files', () => {
    expect(unquote('"a \\"b\\""')).toBe('a "b"');
    expect(parseEnvFile('# c\nID=debian\nNAME="Debian GNU/Linux"\nbad line\n')).toEqual(
      new Map([
        ['ID', 'debian'],
        ['NAME', 'Debian GNU/Linux'],
      ]),
    );
    expect(contentLines('a # x\n\n  # y\nb\n')).toEqual(['a', 'b']);
  });

  it('parses RFC 822 stanzas with continuation lines', () => {
    const stanzas = parseStanzas('Package: a\nDescription: one\n two\n\n\nPackage: b\n');
    expect(stanzas).toEqual([
      new Map([
        ['Package', 'a'],
        ['Description', 'one\ntwo'],
      ]),
      new Map([['Package', 'b']]),
    ]);
  });

  it('parses INI sections, ignoring comments', () => {
    expect(parseIni('; top\n[a]\nx = 1\n# c\n[b]\ny=2\ny=3\n')).toEqual([
      { name: 'a', values: new Map([['x', '1']]) },
      { name: 'b', values: new Map([['y', '3']]) },
    ]);
  });
});
