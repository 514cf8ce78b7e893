import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { actionTestContext } from '../test-context.js';
import { linuxSystemActions, shutdownArgv } from './system.js';
import { systemdMissingReason } from './systemd.js';

const noSystemd = systemdMissingReason();
const optedIn = process.env.VIGIL_TEST_SYSTEMD === '1';

describe('system.reboot / system.shutdown argv', () => {
  it('schedules with a delay and a wall message after --', () => {
    expect(shutdownArgv('reboot', 5, 'bye')).toEqual(['-r', '--', '+5', 'bye']);
    expect(shutdownArgv('shutdown', 0, 'now off')).toEqual(['-P', '--', 'now', 'now off']);
  });

  it.skipIf(noSystemd === null)(`refuses where systemd is missing (${noSystemd})`, async () => {
    for (const name of ['system.reboot', 'system.shutdown'] as const)
      await expect(
        linuxSystemActions[name]!({ delay_min: 60, message: 'test' }, actionTestContext({ dryRun: true })),
      ).rejects.toMatchObject({ code: 'E_ACTION_UNSUPPORTED' });
  });
});

// Real execution schedules a reboot an hour ahead and cancels it at once; opt-in only.
describe.skipIf(noSystemd !== null || !optedIn)(
  `system.reboot on a real systemd (${noSystemd ?? (optedIn ? 'running' : 'set VIGIL_TEST_SYSTEMD=1 to run')})`,
  () => {
    it('schedules a reboot that shutdown -c cancels', async () => {
      try {
        const out = await linuxSystemActions['system.reboot']!(
          { delay_min: 60, message: 'Vigil test: this reboot is cancelled at once' },
          actionTestContext(),
        );
        expect(out).toMatchObject({ ok: true, changed: true });
        const scheduled = execFileSync(
          'busctl',
          [
            'get-property',
            'org.freedesktop.login1',
            '/org/freedesktop/login1',
            'org.freedesktop.login1.Manager',
            'ScheduledShutdown',
          ],
          { encoding: 'utf8' },
        );
        expect(scheduled).toMatch(/reboot/);
      } finally {
        execFileSync('shutdown', ['-c']);
      }
    });
  },
);
