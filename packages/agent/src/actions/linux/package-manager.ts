/**
 * apt and dnf as the package actions drive them: which one the host has, the argument arrays of
 * each operation (never a shell string; every package name has passed PACKAGE_NAME, which cannot
 * start with `-`), what is installed (dpkg-query / rpm), what a simulation says would change
 * (`apt-get -s`, `dnf --assumeno`), and whether the host needs a reboot afterwards.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findProgram } from '../../tables/collectors/command-runner.js';
import type { ActionContext, RunOptions } from '../types.js';
import { ACTION_ERROR, ActionFailure, runChecked, runProgram } from './action-failure.js';

export type PackageManager = 'apt' | 'dnf';

/** A package name as the catalogue declares it (apt's `name:arch` and `~` included). */
export const PACKAGE_NAME = /^[A-Za-z0-9][A-Za-z0-9+._:~-]{0,127}$/;

/** The package manager the host has: apt (with dpkg) first, then dnf (with rpm). */
export function detectPackageManager(find: (program: string) => string | null = findProgram): PackageManager {
  if (find('apt-get') && find('dpkg-query')) return 'apt';
  if (find('dnf') && find('rpm')) return 'dnf';
  throw new ActionFailure(
    ACTION_ERROR.unsupported,
    'neither apt-get (with dpkg) nor dnf (with rpm) is installed on this host',
  );
}

/** Non-interactive apt: wait for the dpkg lock instead of failing, keep changed config files. */
export const APT_OPTIONS = [
  '-y',
  '-q',
  '-o',
  'DPkg::Lock::Timeout=300',
  '-o',
  'Dpkg::Options::=--force-confdef',
  '-o',
  'Dpkg::Options::=--force-confold',
];
export const APT_SIMULATE = ['-s', '-q', '-o', 'DPkg::Lock::Timeout=300'];
/** No debconf questions, and needrestart (Ubuntu) only lists services instead of asking. */
export const APT_ENV: RunOptions = { env: { DEBIAN_FRONTEND: 'noninteractive', NEEDRESTART_MODE: 'l' } };
export const DNF_OPTIONS = ['-y', '-q'];

/** Installed packages: name (`name:arch` for dpkg multi-arch, `name.arch` for rpm) → versions. */
export type InstalledPackages = Map<string, string[]>;

// biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own ${field} format, not a JS template
const DPKG_FORMAT = '${binary:Package}\\t${Version}\\t${db:Status-Abbrev}\\t${Essential}\\n';
const RPM_FORMAT = '%{NAME}.%{ARCH}\\t%|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE}\\n';

/** Parses dpkg-query lines; only packages whose files are on disk (not `rc`, `un`) count. */
export function parseDpkgStatus(text: string): { installed: InstalledPackages; essential: Set<string> } {
  const installed: InstalledPackages = new Map();
  const essential = new Set<string>();
  for (const line of text.split('\n')) {
    const [name, version, status = '', isEssential] = line.split('\t');
    if (!name || !version) continue;
    const state = status[1];
    if (state === undefined || state === 'n' || state === 'c') continue;
    installed.set(name, [...(installed.get(name) ?? []), version]);
    if (isEssential === 'yes') essential.add(name);
  }
  return { installed, essential };
}

/** Parses `rpm -qa` lines in RPM_FORMAT (several versions of one name: kernels). */
export function parseRpmQuery(text: string): InstalledPackages {
  const installed: InstalledPackages = new Map();
  for (const line of text.split('\n')) {
    const [name, version] = line.split('\t');
    if (!name || !version || name.startsWith('gpg-pubkey.')) continue;
    installed.set(name, [...(installed.get(name) ?? []), version].sort());
  }
  return installed;
}

export interface InstalledState {
  installed: InstalledPackages;
  essential: Set<string>;
}

/** What is installed now, read from the package database. */
export async function readInstalled(ctx: ActionContext, manager: PackageManager): Promise<InstalledState> {
  if (manager === 'apt') {
    const out = await runChecked(ctx, 'dpkg-query', ['-W', '-f', DPKG_FORMAT]);
    return parseDpkgStatus(out.stdout);
  }
  const out = await runChecked(ctx, 'rpm', ['-qa', '--qf', RPM_FORMAT]);
  return { installed: parseRpmQuery(out.stdout), essential: new Set() };
}

/** The installed entries a requested name refers to (apt: `libc6` finds `libc6:amd64`; dnf: `bash` finds `bash.x86_64`). */
export function entriesFor(installed: InstalledPackages, manager: PackageManager, name: string): string[] {
  return [...installed.keys()].filter((key) =>
    manager === 'apt'
      ? key === name || key.startsWith(`${name}:`)
      : key === name || key.slice(0, key.lastIndexOf('.')) === name,
  );
}

/** One package that changed: `from` null when it was installed, `to` null when it was removed. */
export interface PackageChange {
  name: string;
  from: string | null;
  to: string | null;
}

/** Every package whose versions differ between two readings of the database. */
export function diffInstalled(before: InstalledPackages, after: InstalledPackages): PackageChange[] {
  const changes: PackageChange[] = [];
  for (const name of new Set([...before.keys(), ...after.keys()])) {
    const a = before.get(name)?.join(', ') ?? null;
    const b = after.get(name)?.join(', ') ?? null;
    if (a !== b) changes.push({ name, from: a, to: b });
  }
  return changes.sort((x, y) => x.name.localeCompare(y.name));
}

/** Changes split the way the catalogue reports them. */
export function classifyChanges(changes: PackageChange[]): {
  installed: { name: string; version: string }[];
  upgraded: PackageChange[];
  removed: { name: string; version: string }[];
} {
  return {
    installed: changes.filter((c) => c.from === null).map((c) => ({ name: c.name, version: c.to as string })),
    upgraded: changes.filter((c) => c.from !== null && c.to !== null),
    removed: changes.filter((c) => c.to === null).map((c) => ({ name: c.name, version: c.from as string })),
  };
}

/** One step of a simulated transaction. */
export interface PlannedChange {
  action: 'install' | 'upgrade' | 'remove';
  name: string;
  from: string | null;
  to: string | null;
  /** Where the new version comes from (apt: `Debian-Security:12/stable-security`; dnf: the repo). */
  origin: string | null;
}

const APT_INST = /^Inst (\S+)(?: \[([^\]]+)\])? \((\S+)(?: (.*?))?(?: \[[^\]]+\])?\)/;
const APT_REMOVE = /^(?:Remv|Purg) (\S+)(?: \[([^\]]+)\])?/;

/** Parses the `Inst`/`Remv`/`Purg` lines of an `apt-get -s` run. */
export function parseAptSimulation(text: string): PlannedChange[] {
  const planned: PlannedChange[] = [];
  for (const line of text.split('\n')) {
    const inst = APT_INST.exec(line);
    if (inst) {
      planned.push({
        action: inst[2] ? 'upgrade' : 'install',
        name: inst[1] as string,
        from: inst[2] ?? null,
        to: inst[3] as string,
        origin: inst[4]?.trim() || null,
      });
      continue;
    }
    const remove = APT_REMOVE.exec(line);
    if (remove) {
      planned.push({
        action: 'remove',
        name: remove[1] as string,
        from: remove[2] ?? null,
        to: null,
        origin: null,
      });
    }
  }
  return planned;
}

const DNF_SECTION =
  /^(Installing|Upgrading|Removing|Downgrading|Reinstalling|Installing dependencies|Installing weak dependencies|Removing dependent packages|Removing unused dependencies)\s*:\s*$/;

/**
 * Parses the transaction table dnf prints before asking (`dnf … --assumeno`): section headings
 * (`Installing:`, `Upgrading:`, `Removing:` …) followed by rows `name arch version repo size`.
 * Rows dnf wraps over two lines (a long name alone on the first) are joined.
 */
export function parseDnfTransaction(text: string): PlannedChange[] {
  const planned: PlannedChange[] = [];
  let section: string | undefined;
  let carry = '';
  for (const raw of text.split('\n')) {
    const heading = DNF_SECTION.exec(raw.trim());
    if (heading) {
      section = heading[1];
      carry = '';
      continue;
    }
    if (!section) continue;
    if (!raw.startsWith(' ')) {
      section = undefined;
      continue;
    }
    const fields = `${carry} ${raw}`.trim().split(/\s+/);
    if (fields.length === 1) {
      carry = fields[0] as string;
      continue;
    }
    carry = '';
    if (fields.length < 4) continue;
    const [name, , version, repo] = fields as [string, string, string, string];
    const action = section.startsWith('Remov')
      ? 'remove'
      : section.startsWith('Install')
        ? 'install'
        : 'upgrade';
    planned.push({
      action,
      name,
      from: null,
      to: action === 'remove' ? null : version,
      origin: action === 'remove' ? null : repo,
    });
  }
  return planned;
}

/** Whether a planned upgrade comes from a security repository (apt: the archive label says so). */
export function isSecurityOrigin(origin: string | null): boolean {
  return origin !== null && /security/i.test(origin);
}

/** Whether the host needs a reboot: apt's reboot-required flag file, or dnf's needs-restarting -r. */
export async function rebootRequired(
  ctx: ActionContext,
  manager: PackageManager,
): Promise<{ required: boolean | null; packages: string[] }> {
  if (manager === 'apt') {
    const flag = ['run/reboot-required', 'var/run/reboot-required']
      .map((p) => join(ctx.root, p))
      .find(existsSync);
    if (!flag) return { required: false, packages: [] };
    let packages: string[] = [];
    try {
      packages = readFileSync(`${flag}.pkgs`, 'utf8').split('\n').filter(Boolean);
    } catch {
      // The list is optional.
    }
    return { required: true, packages: [...new Set(packages)] };
  }
  for (const [program, args] of [
    ['needs-restarting', ['-r']],
    ['dnf', ['needs-restarting', '-r']],
  ] as const) {
    if (!findProgram(program)) continue;
    const out = await runProgram(ctx, program, [...args]);
    // needs-restarting -r: exit 1 means a reboot is needed, 0 that it is not.
    if (out.code === 0 || out.code === 1) return { required: out.code === 1, packages: [] };
  }
  return { required: null, packages: [] };
}
