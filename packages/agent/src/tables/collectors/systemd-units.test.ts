import { existsSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { systemdUnits, unitObjectPath } from './systemd-units.js';
import { collectAt, collectFixture } from './test-collect.js';

const unit = (id: string, fields: Record<string, unknown>) => ({
  id,
  description: '',
  load_state: 'loaded',
  active_state: 'inactive',
  sub_state: '',
  unit_file_state: 'disabled',
  following: '',
  object_path: unitObjectPath(id),
  job_id: 0,
  job_type: '',
  job_path: '/',
  fragment_path: `/usr/lib/systemd/system/${id}`,
  user: '',
  source_path: '',
  ...fields,
});

describe('systemd_units', () => {
  it('lists unit files with enablement, masks, aliases, overrides and generated units', () => {
    const { rows, warnings } = collectFixture(systemdUnits, 'systemd_units');
    expect(rows).toEqual([
      unit('basic.target', { description: 'Basic System', unit_file_state: 'static' }),
      unit('bluetooth.service', { load_state: 'masked', unit_file_state: 'masked', fragment_path: '' }),
      unit('data.mount', {
        description: '/data',
        unit_file_state: 'generated',
        fragment_path: '/run/systemd/generator/data.mount',
        source_path: '/etc/fstab',
      }),
      unit('getty@.service', { description: 'Getty on %I' }),
      unit('nginx.service', {
        description: 'A high performance web server',
        active_state: 'active',
        unit_file_state: 'enabled',
      }),
      unit('redis-server.service', {
        description: 'Advanced key-value store',
        unit_file_state: 'alias',
        fragment_path: '/usr/lib/systemd/system/redis.service',
        user: 'redis',
      }),
      unit('redis.service', { description: 'Advanced key-value store', user: 'redis' }),
      unit('ssh.service', {
        description: 'Admin override of ssh',
        unit_file_state: 'enabled',
        fragment_path: '/etc/systemd/system/ssh.service',
      }),
      unit('ssh.socket', { description: 'OpenBSD Secure Shell server socket', unit_file_state: 'enabled' }),
    ]);
    expect(warnings).toEqual([]);
  });

  it('leaves load and active state empty, with a warning, when systemd is not running', () => {
    const { rows, warnings } = collectFixture(systemdUnits, 'systemd_units/nosystemd');
    expect(rows.map((r) => [r.id, r.load_state, r.active_state, r.unit_file_state])).toContainEqual([
      'nginx.service',
      '',
      '',
      'enabled',
    ]);
    expect(warnings).toEqual([
      'systemd is not running (no /run/systemd/system): unit files listed with load and active state empty',
    ]);
  });

  it('escapes unit names into D-Bus object paths', () => {
    expect(unitObjectPath('getty@tty1.service')).toBe(
      '/org/freedesktop/systemd1/unit/getty_40tty1_2eservice',
    );
  });

  it.skipIf(!existsSync('/lib/systemd/system'))(
    'lists this machine unit files (needs /lib/systemd/system)',
    () => {
      const { rows } = collectAt(systemdUnits, '/');
      const onDisk = readdirSync('/lib/systemd/system').filter((f) => f.endsWith('.service'));
      const ids = new Set(rows.map((r) => r.id));
      for (const name of onDisk) expect(ids.has(name)).toBe(true);
    },
  );
});
