import { listDir, readText } from '../fs-helpers.js';
import { hintMatcher } from '../like-pattern.js';
import type { TableCollector } from '../types.js';
import { splitLines } from './file-lines.js';

const DEFAULT_ADMINDIR = '/var/lib/dpkg';
const LIST_SUFFIX = '.list';

/**
 * deb_package_files: the paths each installed package put on disk, from dpkg's
 * <admindir>/info/<package>.list files. A Debian host lists some 100k paths; `path` and `package`
 * constraints (= and LIKE) are applied here, so a query that asks for /usr/bin/% produces a few
 * thousand rows for SQLite instead of every path (the ownership check "is this program packaged"
 * reads this table on every scan).
 */
export const debPackageFiles: TableCollector = {
  name: 'deb_package_files',
  *collect(ctx) {
    const { equals, like } = ctx.hints;
    const wantPath = hintMatcher(equals.get('path'), like.get('path'));
    const wantPackage = hintMatcher(equals.get('package'), like.get('package'));
    const hinted = equals.get('admindir')?.filter((d): d is string => typeof d === 'string');
    for (const admindir of hinted ?? [DEFAULT_ADMINDIR]) {
      for (const name of listDir(ctx, `${admindir}/info`)) {
        if (!name.endsWith(LIST_SUFFIX)) continue;
        // Multi-arch packages' lists are named <package>:<arch>.list; deb_packages names them without.
        const pkg = name.slice(0, -LIST_SUFFIX.length).replace(/:[^:]*$/, '');
        if (!wantPackage(pkg)) continue;
        const text = readText(ctx, `${admindir}/info/${name}`);
        if (text === null) continue;
        for (const path of splitLines(text)) {
          if (path !== '' && wantPath(path)) yield { package: pkg, path, admindir };
        }
      }
    }
  },
};
