import { existsIn, readText } from '../fs-helpers.js';
import type { TableCollector } from '../types.js';
import { parseStanzas, toInt } from './parse-helpers.js';

const DEFAULT_ADMINDIR = '/var/lib/dpkg';

/** The Debian revision: what follows the last hyphen of the version (none for a native package). */
export function debianRevision(version: string): string {
  const upstream = version.replace(/^\d+:/, '');
  const dash = upstream.lastIndexOf('-');
  return dash === -1 ? '' : upstream.slice(dash + 1);
}

/** deb_packages: packages dpkg knows as installed (or half-installed), from <admindir>/status. */
export const debPackages: TableCollector = {
  name: 'deb_packages',
  *collect(ctx) {
    const hinted = ctx.hints.equals.get('admindir')?.filter((d): d is string => typeof d === 'string');
    for (const admindir of hinted ?? [DEFAULT_ADMINDIR]) {
      const text = readText(ctx, `${admindir}/status`);
      if (text === null) {
        if (!existsIn(ctx, admindir))
          ctx.warn(`no dpkg database at ${admindir} (not a Debian-family system?)`);
        else ctx.warn(`${admindir}/status is missing`);
        continue;
      }
      for (const p of parseStanzas(text)) {
        const status = p.get('Status') ?? '';
        const state = status.split(/\s+/).at(-1);
        // Removed packages whose configuration remains are not installed software.
        if (state === 'not-installed' || state === 'config-files' || !p.has('Package')) continue;
        const version = p.get('Version') ?? '';
        yield {
          name: p.get('Package') ?? null,
          version,
          source: (p.get('Source') ?? '').replace(/\s*\(.*\)$/, ''),
          size: toInt(p.get('Installed-Size')),
          arch: p.get('Architecture') ?? null,
          revision: debianRevision(version),
          status,
          maintainer: p.get('Maintainer') ?? null,
          section: p.get('Section') ?? null,
          priority: p.get('Priority') ?? null,
          admindir,
        };
      }
    }
  },
};
