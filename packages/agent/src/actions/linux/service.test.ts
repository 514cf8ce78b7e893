import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { actionTestContext } from '../test-context.js';
import { linuxServiceActions, parseShow, showArgv, systemctlArgv, unitName } from './service.js';
import { systemdMissingReason } from './systemd.js';

const noSystemd = systemdMissingReason();
const optedIn = process.env.VIGIL_TEST_SYSTEMD === '1';

describe('service actions: systemctl argv', () => {
  it('puts -- before the unit and --now only where it applies', () => {
    expect(systemctlArgv('stop', 'ssh.service')).toEqual(['stop', '--', 'ssh.service']);
    expect(systemctlArgv('start', 'ssh.service', true)).toEqual(['start', '--', 'ssh.service']);
    expect(systemctlArgv('restart', 'getty@tty1.service')).toEqual(['restart', '--', 'getty@tty1.service']);
    expect(systemctlArgv('disable', 'cups.service', true)).toEqual([
      'disable',
      '--now',
      '--',
      'cups.service',
    ]);
    expect(systemctlArgv('enable', 'cups.service', false)).toEqual(['enable', '--', 'cups.service']);
    expect(showArgv('x.service')).toEqual([
      'show',
      '--property=LoadState,ActiveState,SubState,UnitFileState',
      '--',
      'x.service',
    ]);
  });

  it('completes unit names and parses systemctl show', () => {
    expect(unitName('ssh')).toBe('ssh.service');
    expect(unitName('docker.socket')).toBe('docker.socket');
    expect(unitName('a.b')).toBe('a.b.service');
    expect(
      parseShow('LoadState=loaded\nActiveState=active\nSubState=running\nUnitFileState=enabled\n'),
    ).toEqual({
      load_state: 'loaded',
      active_state: 'active',
      sub_state: 'running',
      unit_file_state: 'enabled',
    });
  });

  it('refuses the agent’s own unit before anything runs', async () => {
    for (const name of ['vigil-agent', 'vigil-agent.service'])
      await expect(linuxServiceActions['service.stop']!({ name }, actionTestContext())).rejects.toMatchObject(
        {
          code: 'E_ACTION_REFUSED',
        },
      );
  });

  it.skipIf(noSystemd === null)(
    `says plainly that it needs systemd where it is missing (${noSystemd})`,
    async () => {
      await expect(
        linuxServiceActions['service.stop']!({ name: 'cron' }, actionTestContext()),
      ).rejects.toMatchObject({
        code: 'E_ACTION_UNSUPPORTED',
        message: expect.stringMatching(/systemd is not the init system/),
      });
    },
  );
});

// Real execution needs systemd as PID 1 and an explicit opt-in, because it installs a unit.
describe.skipIf(noSystemd !== null || !optedIn)(
  `service actions on a real systemd (${noSystemd ?? (optedIn ? 'running' : 'set VIGIL_TEST_SYSTEMD=1 to run')})`,
  () => {
    it('stops, starts, restarts, disables and enables a unit the test installs', async () => {
      const unit = `vigil-test-${randomBytes(3).toString('hex')}.service`;
      const path = `/etc/systemd/system/${unit}`;
      writeFileSync(path, '[Service]\nExecStart=/bin/sleep 3600\n[Install]\nWantedBy=multi-user.target\n');
      execFileSync('systemctl', ['daemon-reload']);
      const ctx = actionTestContext();
      const state = () => parseShow(execFileSync('systemctl', showArgv(unit), { encoding: 'utf8' }));
      try {
        const enabled = await linuxServiceActions['service.enable']!({ name: unit, now: true }, ctx);
        expect(enabled).toMatchObject({ ok: true, changed: true, undo: { action: 'service.disable' } });
        expect(state()).toMatchObject({ active_state: 'active', unit_file_state: 'enabled' });
        const dry = await linuxServiceActions['service.stop']!({ name: unit }, { ...ctx, dryRun: true });
        expect(dry.changed).toBe(false);
        expect(state().active_state).toBe('active');
        await linuxServiceActions['service.stop']!({ name: unit }, ctx);
        expect(state().active_state).toBe('inactive');
        await linuxServiceActions['service.start']!({ name: unit }, ctx);
        expect(state().active_state).toBe('active');
        expect((await linuxServiceActions['service.restart']!({ name: unit }, ctx)).changed).toBe(true);
        await linuxServiceActions['service.disable']!({ name: unit, now: true }, ctx);
        expect(state()).toMatchObject({ active_state: 'inactive', unit_file_state: 'disabled' });
      } finally {
        execFileSync('systemctl', ['disable', '--now', '--', unit], { stdio: 'ignore' });
        rmSync(path, { force: true });
        execFileSync('systemctl', ['daemon-reload']);
      }
    });
  },
);
