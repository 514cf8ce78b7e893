import { existsSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startupItems } from './startup-items.js';
import { collectAt, collectFixture } from './test-collect.js';

describe('startup_items', () => {
  it('lists XDG autostart entries and enabled systemd services with their command lines', () => {
    const { rows } = collectFixture(startupItems, 'startup_items');
    expect(rows).toEqual([
      {
        name: 'Tracker Miner',
        path: '/usr/libexec/tracker-miner-fs-3',
        args: '--verbosity=0',
        type: 'Startup Item',
        source: '/etc/xdg/autostart',
        status: 'enabled',
        username: null,
      },
      {
        name: 'Chat',
        path: '/opt/chat app/chat',
        args: '--minimized',
        type: 'Startup Item',
        source: '/home/alice/.config/autostart',
        status: 'disabled',
        username: 'alice',
      },
      {
        name: 'nginx.service',
        path: '/usr/sbin/nginx',
        args: '-g "daemon on; master_process on;"',
        type: 'systemd unit',
        source: '/etc/systemd/system/multi-user.target.wants',
        status: 'enabled',
        username: 'root',
      },
      {
        name: 'ssh.service',
        path: '/usr/sbin/sshd',
        args: '-D -f /etc/ssh/custom',
        type: 'systemd unit',
        source: '/etc/systemd/system/multi-user.target.wants',
        status: 'enabled',
        username: 'root',
      },
    ]);
  });

  const wants = '/etc/systemd/system/multi-user.target.wants';
  it.skipIf(!existsSync(wants))('lists the services enabled for multi-user.target on this machine', () => {
    const { rows } = collectAt(startupItems, '/');
    const names = rows.filter((r) => r.source === wants).map((r) => r.name);
    const enabled = readdirSync(wants).filter((f) => f.endsWith('.service'));
    for (const name of names) expect(enabled).toContain(name);
  });
});
