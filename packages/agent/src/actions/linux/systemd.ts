/** Whether systemd is the running init system: the same test as sd_booted(3). */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ActionContext } from '../types.js';
import { ACTION_ERROR, ActionFailure } from './action-failure.js';
import { readProcess } from './proc-scan.js';

/** True when the host was booted with systemd (so systemctl, logind and shutdown work). */
export function systemdRunning(root = '/'): boolean {
  return existsSync(join(root, 'run/systemd/system'));
}

/** Why systemd actions cannot run here, for skips and refusals; null when they can. */
export function systemdMissingReason(root = '/'): string | null {
  if (systemdRunning(root)) return null;
  const init = readProcess(1, root)?.name ?? 'unknown';
  return `systemd is not the init system here (PID 1 is ${init}); the action needs it`;
}

/** Throw E_ACTION_UNSUPPORTED unless systemd runs. */
export function requireSystemd(ctx: Pick<ActionContext, 'root'>): void {
  const why = systemdMissingReason(ctx.root);
  if (why) throw new ActionFailure(ACTION_ERROR.unsupported, why);
}
