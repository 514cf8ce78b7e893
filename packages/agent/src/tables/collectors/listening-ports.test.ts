import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectAll, fixtureRoot, pick } from '../test-context.js';
import { listeningPorts } from './listening-ports.js';

describe('listening_ports', () => {
  it('lists listening TCP and bound UDP sockets of the fixture, unowned ones with pid -1', () => {
    const { rows, warnings } = collectAll(listeningPorts, fixtureRoot('listening_ports'));
    expect(warnings).toEqual([]);
    expect(pick(rows, ['pid', 'fd', 'port', 'protocol', 'family', 'address', 'socket'])).toEqual([
      { pid: 100, fd: 3, port: 22, protocol: 6, family: 2, address: '0.0.0.0', socket: 1111 },
      { pid: -1, fd: -1, port: 631, protocol: 6, family: 2, address: '127.0.0.1', socket: 4444 },
      { pid: 100, fd: 5, port: 8080, protocol: 6, family: 10, address: '::', socket: 3333 },
      { pid: 100, fd: 8, port: 8081, protocol: 6, family: 10, address: '::ffff:127.0.0.1', socket: 7777 },
      { pid: 100, fd: 6, port: 53, protocol: 17, family: 2, address: '0.0.0.0', socket: 5555 },
    ]);
    expect(rows.every((r) => r.net_namespace === '4026531993')).toBe(true);
  });

  it('leaves out unowned sockets when the query names pids', () => {
    const { rows } = collectAll(listeningPorts, fixtureRoot('listening_ports'), { equals: { pid: [100] } });
    expect(rows.map((r) => r.port)).toEqual([22, 8080, 8081, 53]);
  });

  describe('on the real machine', () => {
    let server: Server;
    let port = 0;
    beforeAll(async () => {
      server = createServer();
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as { port: number }).port;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('finds every listener when the listening section spans several reads, with connections after it', async () => {
      // 40 listeners (150 bytes each in /proc/net/tcp) overflow the first 4 KiB read, and 20 open
      // connections put established sockets after them.
      const servers = await Promise.all(
        Array.from({ length: 40 }, async () => {
          const s = createServer((c) => c.on('error', () => {}));
          await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
          return s;
        }),
      );
      const portOf = (s: Server) => (s.address() as { port: number }).port;
      const clients: Socket[] = [];
      try {
        for (const s of servers.slice(0, 20)) {
          const c = connect(portOf(s), '127.0.0.1');
          clients.push(c);
          await new Promise<void>((resolve, reject) => c.once('connect', resolve).once('error', reject));
        }
        const { rows } = collectAll(listeningPorts, '/');
        const mine = new Set(rows.filter((r) => r.pid === process.pid).map((r) => r.port));
        expect(servers.map(portOf).filter((p) => !mine.has(p))).toEqual([]);
      } finally {
        for (const c of clients) c.destroy();
        await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
      }
    });

    it('shows the port this test listens on, owned by this process', () => {
      const { rows } = collectAll(listeningPorts, '/');
      expect(rows.filter((r) => r.port === port)).toEqual([
        expect.objectContaining({ pid: process.pid, protocol: 6, family: 2, address: '127.0.0.1' }),
      ]);
    });
  });
});
