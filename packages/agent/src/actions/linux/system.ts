/**
 * system.reboot / system.shutdown on Linux: `shutdown -r|-P -- +MIN MESSAGE` (argument array), so
 * logged-in users are warned and the request can still be cancelled on the device with
 * `shutdown -c`. Needs systemd (its shutdown talks to logind).
 */
import type { ActionImpl, ActionImpls } from '../types.js';
import { runChecked } from './action-failure.js';
import { requireSystemd } from './systemd.js';

export type PowerKind = 'reboot' | 'shutdown';

/** The shutdown argv for a reboot or power-off in `delayMin` minutes with a wall message. */
export function shutdownArgv(kind: PowerKind, delayMin: number, message: string): string[] {
  return [kind === 'reboot' ? '-r' : '-P', '--', delayMin === 0 ? 'now' : `+${delayMin}`, message];
}

function powerAction(kind: PowerKind): ActionImpl {
  return async (params, ctx) => {
    const delay = Number(params.delay_min ?? 1);
    const message = String(params.message);
    const argv = shutdownArgv(kind, delay, message);
    const scheduledFor = new Date(Date.now() + delay * 60_000).toISOString();
    const details = { command: ['shutdown', ...argv], scheduled_for: scheduledFor };
    requireSystemd(ctx);
    if (ctx.dryRun) return { ok: true, changed: false, summary: `would ${kind} at ${scheduledFor}`, details };
    await runChecked(ctx, 'shutdown', argv);
    return {
      ok: true,
      changed: true,
      summary: `${kind} scheduled for ${scheduledFor}; cancel on the device with shutdown -c`,
      details,
    };
  };
}

/** The Linux power actions. */
export const linuxSystemActions: ActionImpls = {
  'system.reboot': powerAction('reboot'),
  'system.shutdown': powerAction('shutdown'),
};
