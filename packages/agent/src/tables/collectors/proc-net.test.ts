import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectorContext } from '../../monitors/collector-context.js';
import { decodeAddress, pastTcpListeners, readNetSockets } from './proc-net.js';

const header =
  '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
const line = (sl: number, state: string, inode: number) =>
  `  ${sl}: 0100007F:1F90 00000000:0000 ${state} 00000000:00000000 00:00000000 00000000     0        0 ${inode} 1 0000000000000000 100 0 0 10 0\n`;

describe('pastTcpListeners', () => {
  it('keeps reading through the listening section', () => {
    expect(pastTcpListeners(header)).toBe(false);
    expect(pastTcpListeners(header + line(0, '0A', 1) + line(1, '0A', 2))).toBe(false);
  });

  it("keeps reading through a listener's pending requests, which old kernels list right after it", () => {
    expect(pastTcpListeners(header + line(0, '0A', 1) + line(1, '03', 2) + line(2, '0A', 3))).toBe(false);
  });

  it('stops at the first complete line in another state', () => {
    expect(pastTcpListeners(header + line(0, '0A', 1) + line(1, '01', 2))).toBe(true);
    expect(pastTcpListeners(header + line(0, '06', 1))).toBe(true);
  });

  it('waits for a line to be complete before judging it', () => {
    expect(pastTcpListeners(header + line(0, '0A', 1) + line(1, '01', 2).slice(0, 40))).toBe(false);
  });
});

describe('decodeAddress', () => {
  it('reads IPv4 from one host-order word', () => {
    expect(decodeAddress('0100007F')).toBe('127.0.0.1');
    expect(decodeAddress('00000000')).toBe('0.0.0.0');
    expect(decodeAddress('FFFFFFFF')).toBe('255.255.255.255');
    // A longer field than one word but shorter than two: the whole words count.
    expect(decodeAddress('0100007F00')).toBe('127.0.0.1');
  });

  it('reads IPv6 from four words, mapped IPv4 and the longest zero run compressed', () => {
    expect(decodeAddress('00000000000000000000000000000000')).toBe('::');
    expect(decodeAddress('00000000000000000000000001000000')).toBe('::1');
    expect(decodeAddress('0000000000000000FFFF00000100007F')).toBe('::ffff:127.0.0.1');
    expect(decodeAddress('B80D0120000000000000000001000000')).toBe('2001:db8::1');
    expect(decodeAddress('B80D01200200010004000300060005FF')).toBe('2001:db8:1:2:3:4:ff05:6');
    expect(decodeAddress('80FE00000000000000000000FFFFFFFF')).toBe('0:fe80::ffff:ffff');
    expect(decodeAddress('')).toBe('::');
  });
});

describe('readNetSockets', () => {
  it('reads only the sockets with the given inodes when asked to', () => {
    const root = mkdtempSync(join(tmpdir(), 'vigil-proc-net-'));
    try {
      mkdirSync(join(root, 'proc/net'), { recursive: true });
      const established = (sl: number, inode: number) =>
        `  ${sl}: 0100007F:A000 0200007F:0016 01 00000000:00000000 00:00000000 00000000  1000        0 ${inode} 1 0000000000000000 20 4 30 10 -1\n`;
      writeFileSync(
        join(root, 'proc/net/tcp'),
        header + line(0, '0A', 11) + established(1, 12) + established(2, 13),
      );
      const ctx = collectorContext(root);
      expect(readNetSockets(ctx, '/proc/net', { withUnix: false }).map((s) => s.inode)).toEqual([11, 12, 13]);
      const picked = readNetSockets(ctx, '/proc/net', { withUnix: false, inodes: new Set([13]) });
      expect(picked).toEqual([
        {
          family: 2,
          protocol: 6,
          localAddress: '127.0.0.1',
          localPort: 0xa000,
          remoteAddress: '127.0.0.2',
          remotePort: 22,
          state: 'ESTABLISHED',
          inode: 13,
          path: '',
        },
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
