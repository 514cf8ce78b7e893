import type { Row, TableCollector } from '../types.js';
import { type CommandRunner, runHostCommand } from './command-runner.js';
import { toInt } from './parse-helpers.js';

const TAGS = [
  'NAME',
  'VERSION',
  'RELEASE',
  'SOURCERPM',
  'SIZE',
  'SHA1HEADER',
  'ARCH',
  'EPOCH',
  'INSTALLTIME',
  'VENDOR',
  'GROUP',
];
/** rpm prints one tab-separated line per package. */
export const RPM_QUERY_FORMAT = `${TAGS.map((t) => `%{${t}}`).join('\\t')}\\n`;

const orNull = (v: string | undefined) => (v === undefined || v === '(none)' ? null : v);

/** Parses `rpm -qa --queryformat RPM_QUERY_FORMAT` output into rows. */
export function parseRpmQuery(output: string): Row[] {
  const rows: Row[] = [];
  for (const line of output.split('\n')) {
    const f = line.split('\t');
    if (f.length < TAGS.length || f[0] === '') continue;
    rows.push({
      name: f[0] ?? null,
      version: orNull(f[1]),
      release: orNull(f[2]),
      source: orNull(f[3]) ?? '',
      size: toInt(f[4]),
      sha1: orNull(f[5]),
      arch: orNull(f[6]),
      epoch: toInt(orNull(f[7])),
      install_time: toInt(f[8]),
      vendor: orNull(f[9]),
      package_group: orNull(f[10]),
    });
  }
  return rows;
}

/** Builds the rpm_packages collector around a command runner (tests inject recorded rpm output). */
export function createRpmPackages(run: CommandRunner = runHostCommand): TableCollector {
  return {
    name: 'rpm_packages',
    *collect(ctx) {
      const output = run(ctx, 'rpm', ['-qa', '--queryformat', RPM_QUERY_FORMAT]);
      if (output !== null) yield* parseRpmQuery(output);
    },
  };
}

/** rpm_packages: installed RPMs as librpm reports them through the rpm command. */
export const rpmPackages: TableCollector = createRpmPackages();
