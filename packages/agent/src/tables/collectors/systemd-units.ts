import { existsIn } from '../fs-helpers.js';
import type { TableCollector } from '../types.js';
import { enabledUnits, listUnitFiles, type UnitFile, unitValue } from './systemd-unit-files.js';

/** systemd's D-Bus object path for a unit: bytes outside [A-Za-z0-9] become _xx. */
export function unitObjectPath(id: string): string {
  const escaped = [...Buffer.from(id, 'utf8')]
    .map((b) =>
      /[A-Za-z0-9]/.test(String.fromCharCode(b))
        ? String.fromCharCode(b)
        : `_${b.toString(16).padStart(2, '0')}`,
    )
    .join('');
  return `/org/freedesktop/systemd1/unit/${escaped}`;
}

function unitFileState(unit: UnitFile, enabled: Map<string, string>): string {
  if (unit.linkTarget === '/dev/null') return 'masked';
  if (unit.dir.startsWith('/run/systemd/generator')) return 'generated';
  if (unit.dir === '/run/systemd/transient') return 'transient';
  if (unit.linkTarget !== null && !unit.linkTarget.endsWith(`/${unit.id}`)) return 'alias';
  const template = unit.id.replace(/@[^.]*\./, '@.');
  if (enabled.has(unit.id) || enabled.has(template)) return 'enabled';
  const install = unit.sections.find((s) => s.name === 'Install');
  return install === undefined || install.values.size === 0 ? 'static' : 'disabled';
}

/** systemd_units: unit files on the search path; load/active state only where systemd runs (approximated from /run). */
export const systemdUnits: TableCollector = {
  name: 'systemd_units',
  *collect(ctx) {
    const running = existsIn(ctx, '/run/systemd/system');
    if (!running) {
      ctx.warn(
        'systemd is not running (no /run/systemd/system): unit files listed with load and active state empty',
      );
    }
    const enabled = enabledUnits(ctx);
    for (const unit of listUnitFiles(ctx)) {
      const state = unitFileState(unit, enabled);
      // systemd keeps an invocation:<unit> link for every unit it has started and not yet collected.
      const active = existsIn(ctx, `/run/systemd/units/invocation:${unit.id}`);
      yield {
        id: unit.id,
        description: unitValue(unit, 'Unit', 'Description') ?? '',
        load_state: running ? (state === 'masked' ? 'masked' : 'loaded') : '',
        active_state: running ? (active ? 'active' : 'inactive') : '',
        sub_state: '',
        unit_file_state: state,
        following: '',
        object_path: unitObjectPath(unit.id),
        job_id: 0,
        job_type: '',
        job_path: '/',
        fragment_path: state === 'masked' ? '' : unit.path,
        user: unitValue(unit, 'Service', 'User') ?? '',
        source_path: unitValue(unit, 'Unit', 'SourcePath') ?? '',
      };
    }
  },
};
