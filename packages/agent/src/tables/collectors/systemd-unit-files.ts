import { listEntries, readLink, readText } from '../fs-helpers.js';
import type { TableContext } from '../types.js';
import { type IniSection, parseIni } from './parse-helpers.js';

/** Unit search path of the system manager, highest precedence first (systemd.unit(5)). */
export const UNIT_DIRS = [
  '/etc/systemd/system',
  '/run/systemd/transient',
  '/run/systemd/generator.early',
  '/run/systemd/system',
  '/run/systemd/generator',
  '/usr/local/lib/systemd/system',
  '/usr/lib/systemd/system',
  '/lib/systemd/system',
  '/run/systemd/generator.late',
];

const UNIT_SUFFIX = /\.(service|socket|target|timer|mount|automount|path|slice|scope|swap|device)$/;

/** One unit file as found on disk. */
export interface UnitFile {
  id: string;
  /** The file the unit was read from (an absolute alias link's target, else where it was found). */
  path: string;
  dir: string;
  /** The symlink target when the unit file is a link (an alias, or /dev/null for a masked unit). */
  linkTarget: string | null;
  sections: IniSection[];
}

/** The value of `key` in `[section]` (the last assignment wins, as systemd reads it); null when unset. */
export function unitValue(unit: UnitFile, section: string, key: string): string | null {
  let value: string | null = null;
  for (const s of unit.sections)
    if (s.name === section && s.values.has(key)) value = s.values.get(key) ?? null;
  return value;
}

/** Every unit file on the search path; a name found in a higher-precedence directory hides the others. */
export function listUnitFiles(ctx: TableContext): UnitFile[] {
  const units = new Map<string, UnitFile>();
  for (const dir of UNIT_DIRS) {
    for (const entry of listEntries(ctx, dir)) {
      if (units.has(entry.name) || !UNIT_SUFFIX.test(entry.name)) continue;
      if (!entry.isFile() && !entry.isSymbolicLink()) continue;
      const path = `${dir}/${entry.name}`;
      const linkTarget = entry.isSymbolicLink() ? readLink(ctx, path) : null;
      // An absolute link (the usual alias form) must be followed inside the root, not on the host.
      const source = linkTarget?.startsWith('/') ? linkTarget : path;
      const text = linkTarget === '/dev/null' ? '' : (readText(ctx, source) ?? '');
      units.set(entry.name, { id: entry.name, path: source, dir, linkTarget, sections: parseIni(text) });
    }
  }
  return [...units.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Units enabled by the administrator: names linked from /etc/systemd/system/<target>.{wants,requires}/, with the directory. */
export function enabledUnits(ctx: TableContext): Map<string, string> {
  const enabled = new Map<string, string>();
  for (const entry of listEntries(ctx, '/etc/systemd/system')) {
    if (!entry.isDirectory() || !/\.(wants|requires|upholds)$/.test(entry.name)) continue;
    const dir = `/etc/systemd/system/${entry.name}`;
    for (const link of listEntries(ctx, dir)) if (!enabled.has(link.name)) enabled.set(link.name, dir);
  }
  return enabled;
}
