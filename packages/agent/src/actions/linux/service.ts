/**
 * service.stop|start|restart|disable|enable on Linux through systemctl (argument arrays, `--`
 * before the unit name). The unit's state is read before and after, so the result says what
 * changed and the undo restores what was there. The agent's own unit is refused.
 */
import { VigilError } from '@vigil/protocol/agent-runtime';
import type { ActionContext, ActionImpl, ActionImpls, ActionOutcome } from '../types.js';
import { refuse, runChecked } from './action-failure.js';
import { requireSystemd } from './systemd.js';

/** The Vigil agent's own unit (packages/agent/systemd/vigil-agent.service). */
export const AGENT_UNIT = 'vigil-agent.service';

export type ServiceVerb = 'stop' | 'start' | 'restart' | 'disable' | 'enable';

const UNIT_SUFFIXES = /\.(service|socket|timer|target|path|mount|automount|swap|slice|scope|device)$/;

/** The full unit name systemctl would use (`ssh` → `ssh.service`). */
export function unitName(name: string): string {
  return UNIT_SUFFIXES.test(name) ? name : `${name}.service`;
}

/** The systemctl argv for one verb. */
export function systemctlArgv(verb: ServiceVerb, unit: string, now = false): string[] {
  const withNow = (verb === 'disable' || verb === 'enable') && now ? ['--now'] : [];
  return [verb, ...withNow, '--', unit];
}

/** The systemctl argv that reads a unit's state. */
export function showArgv(unit: string): string[] {
  return ['show', '--property=LoadState,ActiveState,SubState,UnitFileState', '--', unit];
}

/** A unit's state as `systemctl show` prints it. */
export interface UnitState {
  load_state: string;
  active_state: string;
  sub_state: string;
  unit_file_state: string;
}

/** Parse `Key=value` lines of systemctl show. */
export function parseShow(text: string): UnitState {
  const map = new Map<string, string>();
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) map.set(line.slice(0, eq), line.slice(eq + 1).trim());
  }
  return {
    load_state: map.get('LoadState') ?? '',
    active_state: map.get('ActiveState') ?? '',
    sub_state: map.get('SubState') ?? '',
    unit_file_state: map.get('UnitFileState') ?? '',
  };
}

const isActive = (s: UnitState) => s.active_state === 'active' || s.active_state === 'activating';
const isEnabled = (s: UnitState) => s.unit_file_state.startsWith('enabled');

async function readState(ctx: ActionContext, unit: string): Promise<UnitState> {
  const state = parseShow((await runChecked(ctx, 'systemctl', showArgv(unit))).stdout);
  if (state.load_state === 'not-found')
    throw new VigilError('E_ACTION_TARGET_NOT_FOUND', `there is no unit ${unit} on this device`);
  return state;
}

/** The action that puts the unit back as it was, if this verb changed something undoable. */
function undoFor(verb: ServiceVerb, name: string, before: UnitState, now: boolean) {
  if (verb === 'stop' && isActive(before)) return { action: 'service.start', params: { name } };
  if (verb === 'start' && !isActive(before)) return { action: 'service.stop', params: { name } };
  if (verb === 'disable' && isEnabled(before))
    return { action: 'service.enable', params: { name, now: now && isActive(before) } };
  if (verb === 'enable' && !isEnabled(before))
    return { action: 'service.disable', params: { name, now: now && !isActive(before) } };
  return undefined;
}

function serviceAction(verb: ServiceVerb): ActionImpl {
  return async (params, ctx): Promise<ActionOutcome> => {
    const name = String(params.name);
    const unit = unitName(name);
    if (unit === AGENT_UNIT) refuse(`refusing to ${verb} ${unit}: it is the Vigil agent itself`);
    requireSystemd(ctx);
    const now = params.now === true;
    const before = await readState(ctx, unit);
    const argv = systemctlArgv(verb, unit, now);
    if (ctx.dryRun)
      return {
        ok: true,
        changed: false,
        summary: `would run systemctl ${argv.join(' ')} (now ${before.active_state}, ${before.unit_file_state || 'no unit file state'})`,
        details: { unit, command: ['systemctl', ...argv], before },
      };
    await runChecked(ctx, 'systemctl', argv);
    const after = await readState(ctx, unit);
    const changed =
      verb === 'restart' ||
      before.active_state !== after.active_state ||
      before.unit_file_state !== after.unit_file_state;
    const undo = undoFor(verb, name, before, now);
    return {
      ok: true,
      changed,
      summary: `${unit}: ${verb} done (${before.active_state} → ${after.active_state}, ${before.unit_file_state} → ${after.unit_file_state})`,
      details: { unit, command: ['systemctl', ...argv], before, after },
      ...(undo ? { undo } : {}),
    };
  };
}

/** The Linux service actions. */
export const linuxServiceActions: ActionImpls = {
  'service.stop': serviceAction('stop'),
  'service.start': serviceAction('start'),
  'service.restart': serviceAction('restart'),
  'service.disable': serviceAction('disable'),
  'service.enable': serviceAction('enable'),
};
