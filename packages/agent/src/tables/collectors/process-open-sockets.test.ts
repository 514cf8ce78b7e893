import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectAll, fixtureRoot } from '../test-context.js';
import { processOpenSockets } from './process-open-sockets.js';

describe('process_open_sockets', () => {
  it('matches socket inodes of the fixture process with its /proc/net tables', () => {
    const { rows, warnings } = collectAll(processOpenSockets, fixtureRoot('process_open_sockets'));
    expect(warnings).toEqual([]);
    const ns = '4026531993';
    const base = { pid: 100, path: '', net_namespace: ns };
    expect(rows).toEqual([
      {
        ...base,
        fd: 3,
        socket: 1111,
        family: 2,
        protocol: 6,
        local_address: '0.0.0.0',
        remote_address: '0.0.0.0',
        local_port: 22,
        remote_port: 0,
        state: 'LISTEN',
      },
      {
        ...base,
        fd: 4,
        socket: 2222,
        family: 2,
        protocol: 6,
        local_address: '10.0.0.5',
        remote_address: '10.0.0.9',
        local_port: 22,
        remote_port: 50616,
        state: 'ESTABLISHED',
      },
      {
        ...base,
        fd: 5,
        socket: 3333,
        family: 10,
        protocol: 6,
        local_address: '::',
        remote_address: '::',
        local_port: 8080,
        remote_port: 0,
        state: 'LISTEN',
      },
      {
        ...base,
        fd: 8,
        socket: 7777,
        family: 10,
        protocol: 6,
        local_address: '::ffff:127.0.0.1',
        remote_address: '::',
        local_port: 8081,
        remote_port: 0,
        state: 'LISTEN',
      },
      {
        ...base,
        fd: 6,
        socket: 5555,
        family: 2,
        protocol: 17,
        local_address: '0.0.0.0',
        remote_address: '0.0.0.0',
        local_port: 53,
        remote_port: 0,
        state: '',
      },
      {
        ...base,
        fd: 7,
        socket: 6666,
        family: 1,
        protocol: 0,
        local_address: '',
        remote_address: '',
        local_port: 0,
        remote_port: 0,
        path: '/run/fixture.sock',
        state: '',
      },
    ]);
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

    it('shows the listening socket this test opened', () => {
      const { rows } = collectAll(processOpenSockets, '/', { equals: { pid: [process.pid] } });
      const mine = rows.find((r) => r.local_port === port);
      expect(mine).toMatchObject({
        pid: process.pid,
        family: 2,
        protocol: 6,
        local_address: '127.0.0.1',
        state: 'LISTEN',
      });
    });
  });
});
