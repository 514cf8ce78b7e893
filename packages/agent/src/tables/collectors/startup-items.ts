import { listDir, readText } from '../fs-helpers.js';
import type { Row, TableCollector, TableContext } from '../types.js';
import { parseIni } from './parse-helpers.js';
import { enabledUnits, listUnitFiles, unitValue } from './systemd-unit-files.js';

/** Splits an Exec= command line on whitespace, honouring double quotes (enough for path + arguments). */
function splitCommand(command: string): [string | null, string] {
  const parts = command.match(/"[^"]*"|\S+/g) ?? [];
  const head = parts[0]?.replace(/^[-@:+!]+/, '').replace(/^"|"$/g, '') ?? null;
  return [head, parts.slice(1).join(' ')];
}

/** XDG autostart directories: the system one, root's and each /home/<user>'s. */
function autostartDirs(ctx: TableContext): { dir: string; user: string | null }[] {
  const dirs: { dir: string; user: string | null }[] = [
    { dir: '/etc/xdg/autostart', user: null },
    { dir: '/root/.config/autostart', user: 'root' },
  ];
  for (const user of listDir(ctx, '/home')) dirs.push({ dir: `/home/${user}/.config/autostart`, user });
  return dirs;
}

function* xdgItems(ctx: TableContext): Generator<Row> {
  for (const { dir, user } of autostartDirs(ctx)) {
    for (const file of listDir(ctx, dir).filter((f) => f.endsWith('.desktop'))) {
      const entry = parseIni(readText(ctx, `${dir}/${file}`) ?? '').find((s) => s.name === 'Desktop Entry');
      const exec = entry?.values.get('Exec');
      if (entry === undefined || exec === undefined) continue;
      const disabled =
        entry.values.get('Hidden') === 'true' || entry.values.get('X-GNOME-Autostart-enabled') === 'false';
      const [path, args] = splitCommand(exec);
      yield {
        name: entry.values.get('Name') ?? file,
        path,
        args,
        type: 'Startup Item',
        source: dir,
        status: disabled ? 'disabled' : 'enabled',
        username: user,
      };
    }
  }
}

/** startup_items: XDG autostart entries and systemd services the administrator enabled. */
export const startupItems: TableCollector = {
  name: 'startup_items',
  *collect(ctx) {
    yield* xdgItems(ctx);
    const enabled = enabledUnits(ctx);
    for (const unit of listUnitFiles(ctx)) {
      const source = enabled.get(unit.id) ?? enabled.get(unit.id.replace(/@[^.]*\./, '@.'));
      if (source === undefined || !unit.id.endsWith('.service') || unit.linkTarget === '/dev/null') continue;
      const [path, args] = splitCommand(unitValue(unit, 'Service', 'ExecStart') ?? '');
      yield {
        name: unit.id,
        path,
        args,
        type: 'systemd unit',
        source,
        status: 'enabled',
        username: unitValue(unit, 'Service', 'User') ?? 'root',
      };
    }
  },
};
