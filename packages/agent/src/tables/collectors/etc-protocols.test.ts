import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { etcProtocols } from './etc-protocols.js';
import { collectAt, collectFixture, fixturePath } from './test-collect.js';

describe('etc_protocols', () => {
  it('parses name, number, alias and comment', () => {
    const { rows } = collectFixture(etcProtocols, 'etc_protocols');
    expect(rows).toEqual([
      { name: 'ip', number: 0, alias: 'IP', comment: 'internet protocol, pseudo protocol number' },
      { name: 'icmp', number: 1, alias: 'ICMP', comment: 'internet control message protocol' },
      { name: 'tcp', number: 6, alias: 'TCP', comment: 'transmission control protocol' },
      { name: 'ipv6-icmp', number: 58, alias: 'IPv6-ICMP', comment: 'ICMP for IPv6' },
    ]);
  });

  it('is empty with a warning without the file', () => {
    const { rows, warnings } = collectAt(etcProtocols, fixturePath('uptime'));
    expect(rows).toEqual([]);
    expect(warnings).toEqual(['/etc/protocols is absent or empty']);
  });

  it.skipIf(!existsSync('/etc/protocols'))('knows tcp is 6 on this machine (needs /etc/protocols)', () => {
    const { rows } = collectAt(etcProtocols, '/');
    expect(rows).toContainEqual(expect.objectContaining({ name: 'tcp', number: 6 }));
  });
});
