/**
 * Linux package actions with apt or dnf (whichever the host has): package.install,
 * package.uninstall, patch.apply and software.deploy. Each asks the package manager first what
 * it would do (`apt-get -s`, `dnf --assumeno`) — that is the dry run, and the safety check that
 * refuses a transaction taking other packages with it — then acts non-interactively and reports
 * what changed, read from the package database (dpkg-query / rpm) before and after, and whether
 * the host now needs a reboot.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ActionContext, ActionImpl, ActionImpls, ActionOutcome } from '../types.js';
import {
  ACTION_ERROR,
  ActionFailure,
  refuse,
  reportingFailures,
  runChecked,
  runProgram,
} from './action-failure.js';
import {
  APT_ENV,
  APT_OPTIONS,
  APT_SIMULATE,
  classifyChanges,
  DNF_OPTIONS,
  detectPackageManager,
  diffInstalled,
  entriesFor,
  isSecurityOrigin,
  PACKAGE_NAME,
  type PackageManager,
  type PlannedChange,
  parseAptSimulation,
  parseDnfTransaction,
  readInstalled,
  rebootRequired,
} from './package-manager.js';
import { booleanParam, describeValue, listParam } from './param-readers.js';
import { shutdownArgv } from './system.js';
import {
  downloadVerified,
  reportableUrl,
  resolveDownloadUrl,
  type ServerDownloads,
} from './verified-download.js';

/** Packages that are the Vigil agent itself: never uninstalled by an action. */
const AGENT_PACKAGES = new Set(['vigil-agent', 'vigil']);
const MAX_NAMES = 200;
const SHA256 = /^[0-9a-fA-F]{64}$/;
const PACKAGE_FILE = /^[A-Za-z0-9][A-Za-z0-9+._~-]{0,250}\.(deb|rpm)$/;
// biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-deb's own ${field} format, not a JS template
const DEB_IDENTITY_FORMAT = '${Package}\\t${Version}';
const REBOOT_MESSAGE = 'Vigil: rebooting in one minute to finish installing updates';

function packageNames(params: Record<string, unknown>, required: boolean): string[] {
  const names = listParam(
    params,
    'packages',
    MAX_NAMES,
    (v) => (typeof v === 'string' && PACKAGE_NAME.test(v) ? v : undefined),
    'package name',
  );
  if (required && names.length === 0) refuse('`packages` must name at least one package');
  return [...new Set(names)];
}

/** A package name without apt's `:arch` suffix, for comparing what apt reports with what was asked. */
function baseName(name: string): string {
  const colon = name.indexOf(':');
  return colon > 0 ? name.slice(0, colon) : name;
}

/** Asks the package manager what a transaction would do, without doing it. */
async function simulate(
  ctx: ActionContext,
  manager: PackageManager,
  args: string[],
): Promise<PlannedChange[]> {
  if (manager === 'apt') {
    const out = await runProgram(ctx, 'apt-get', [...APT_SIMULATE, ...args], APT_ENV);
    if (out.code !== 0) {
      const missing =
        /Unable to locate package (\S+)|Package '?([^' ]+)'? has no installation candidate/.exec(out.stderr);
      if (missing) {
        throw new ActionFailure(
          ACTION_ERROR.targetNotFound,
          `apt knows no installable package ${missing[1] ?? missing[2]}; check the name or the device's sources`,
          {},
          out,
        );
      }
      throw new ActionFailure(
        ACTION_ERROR.commandFailed,
        `apt-get -s ${args[0]} exited with code ${out.code}`,
        {},
        out,
      );
    }
    return parseAptSimulation(out.stdout);
  }
  const out = await runProgram(ctx, 'dnf', [args[0] as string, '--assumeno', ...args.slice(1)]);
  const planned = parseDnfTransaction(out.stdout);
  // --assumeno answers "no", so dnf exits 1 after printing a transaction; 0 means nothing to do.
  if (out.code === 0 || (out.code === 1 && planned.length > 0)) return planned;
  if (/No match for argument|Unable to find a match/i.test(out.stdout + out.stderr)) {
    throw new ActionFailure(
      ACTION_ERROR.targetNotFound,
      'dnf knows no such package; check the name or the repositories',
      {},
      out,
    );
  }
  throw new ActionFailure(
    ACTION_ERROR.commandFailed,
    `dnf ${args[0]} --assumeno exited with code ${out.code}`,
    {},
    out,
  );
}

/** A database key (`libc6:amd64`, `bash.x86_64`) as the bare package name a plan uses. */
function bareName(key: string, manager: PackageManager): string {
  return manager === 'apt' ? baseName(key) : key.slice(0, Math.max(0, key.lastIndexOf('.'))) || key;
}

/**
 * Runs the real transaction, then reads what changed and whether a reboot is needed. Only
 * packages in `scope` (what the simulation said the transaction touches, and what was asked for)
 * are reported: another package tool working at the same time must not be counted as ours.
 */
async function transact(
  ctx: ActionContext,
  manager: PackageManager,
  args: string[],
  options: { scope: Iterable<string>; cwd?: string },
): Promise<{ details: Record<string, unknown>; changedNames: string[] }> {
  const scope = new Set([...options.scope].map(baseName));
  const cwd = options.cwd;
  const before = await readInstalled(ctx, manager);
  const output =
    manager === 'apt'
      ? await runProgram(ctx, 'apt-get', [...APT_OPTIONS, ...args], { ...APT_ENV, ...(cwd ? { cwd } : {}) })
      : await runProgram(ctx, 'dnf', [...DNF_OPTIONS, ...args], cwd ? { cwd } : {});
  const after = await readInstalled(ctx, manager);
  const changes = diffInstalled(before.installed, after.installed).filter((c) =>
    scope.has(bareName(c.name, manager)),
  );
  const reboot = await rebootRequired(ctx, manager);
  const details = {
    manager,
    changes,
    ...classifyChanges(changes),
    reboot_required: reboot.required,
    ...(reboot.packages.length > 0 ? { reboot_required_by: reboot.packages } : {}),
  };
  if (output.code !== 0) {
    // The transaction may have done part of its work: report what changed alongside the failure.
    throw new ActionFailure(
      ACTION_ERROR.commandFailed,
      `${manager === 'apt' ? 'apt-get' : 'dnf'} ${args[0]} exited with code ${output.code}${changes.length > 0 ? ` after changing ${changes.length} package(s)` : ''}`,
      details,
      output,
      changes.length > 0,
    );
  }
  return { details, changedNames: changes.map((c) => c.name) };
}

function plannedSummary(planned: PlannedChange[]): string {
  const count = (action: PlannedChange['action']) => planned.filter((p) => p.action === action).length;
  return `${count('install')} to install, ${count('upgrade')} to upgrade, ${count('remove')} to remove`;
}

/** package.install: install packages from the configured repositories. */
const install: ActionImpl = async (params, ctx) => {
  const names = packageNames(params, true);
  const manager = detectPackageManager();
  const planned = await simulate(ctx, manager, ['install', ...names]);
  const removals = planned.filter((p) => p.action === 'remove');
  if (removals.length > 0) {
    refuse(
      `installing ${names.join(', ')} would remove ${removals.map((r) => r.name).join(', ')}; uninstall those first if that is intended`,
      { manager, planned },
    );
  }
  if (ctx.dryRun) {
    return {
      ok: true,
      changed: false,
      summary: `would install: ${plannedSummary(planned)}`,
      details: { manager, planned },
    };
  }
  const { details, changedNames } = await transact(ctx, manager, ['install', ...names], {
    scope: [...names, ...planned.map((p) => p.name)],
  });
  const fresh = names.filter((n) => changedNames.some((c) => baseName(c) === n || c.startsWith(`${n}.`)));
  ctx.log(`package.install changed ${changedNames.length} package(s)`);
  return {
    ok: true,
    changed: changedNames.length > 0,
    summary:
      changedNames.length > 0
        ? `installed or upgraded ${changedNames.length} package(s)`
        : `${names.join(', ')} already installed at the newest version`,
    details,
    ...(fresh.length > 0 ? { undo: { action: 'package.uninstall', params: { packages: fresh } } } : {}),
  };
};

/** package.uninstall: remove packages, refusing essential ones, the agent's own and collateral removals. */
const uninstall: ActionImpl = async (params, ctx) => {
  const names = packageNames(params, true);
  const purge = booleanParam(params, 'purge', false);
  const own = names.filter((n) => AGENT_PACKAGES.has(baseName(n)));
  if (own.length > 0)
    refuse(`${own.join(', ')} is the Vigil agent itself; uninstall the agent on the device instead`);
  const manager = detectPackageManager();
  const state = await readInstalled(ctx, manager);
  const present = names.filter((n) => entriesFor(state.installed, manager, n).length > 0);
  const absent = names.filter((n) => !present.includes(n));
  const essential = present.filter((n) =>
    entriesFor(state.installed, manager, n).some((e) => state.essential.has(e)),
  );
  if (essential.length > 0) refuse(`${essential.join(', ')} is essential to the system and is never removed`);
  if (present.length === 0) {
    return {
      ok: true,
      changed: false,
      summary: `${names.join(', ')} is not installed`,
      details: { manager, removed: [], not_installed: absent },
    };
  }
  const verb = manager === 'apt' && purge ? 'purge' : 'remove';
  const planned = await simulate(ctx, manager, [verb, ...present]);
  const asked = new Set(present.map(baseName));
  const collateral = planned.filter((p) => p.action === 'remove' && !asked.has(baseName(p.name)));
  if (collateral.length > 0 || planned.some((p) => p.action !== 'remove')) {
    refuse(
      `removing ${present.join(', ')} would also remove or install ${planned
        .filter((p) => !asked.has(baseName(p.name)))
        .map((p) => p.name)
        .join(', ')}; name those packages too if that is intended`,
      { manager, planned },
    );
  }
  if (ctx.dryRun) {
    return {
      ok: true,
      changed: false,
      summary: `would remove ${planned.map((p) => p.name).join(', ')}`,
      details: { manager, planned, not_installed: absent },
    };
  }
  const { details } = await transact(ctx, manager, [verb, ...present], {
    scope: [...present, ...planned.map((p) => p.name)],
  });
  const removed = (details.removed as { name: string }[]).map((r) => r.name);
  ctx.log(`package.uninstall removed ${removed.join(', ')}`);
  return {
    ok: true,
    changed: removed.length > 0,
    summary: `removed ${removed.join(', ')}`,
    details: { ...details, not_installed: absent },
    undo: { action: 'package.install', params: { packages: present } },
  };
};

/** Schedules a reboot in one minute with a warning to logged-in users (cancellable with `shutdown -c`). */
async function scheduleReboot(ctx: ActionContext): Promise<{ rebooting: boolean; reboot_error?: string }> {
  const out = await runProgram(ctx, 'shutdown', shutdownArgv('reboot', 1, REBOOT_MESSAGE));
  if (out.code === 0) return { rebooting: true };
  return { rebooting: false, reboot_error: (out.stderr || out.stdout).trim().slice(-500) };
}

/** patch.apply: install available updates — all, security-only, or of the named packages. */
const patchApply: ActionImpl = async (params, ctx) => {
  const securityOnly = booleanParam(params, 'security_only', false);
  const reboot = booleanParam(params, 'reboot', false);
  const names = packageNames(params, false);
  const manager = detectPackageManager();
  // The dry run works from the package lists already on the device: refreshing them is a change.
  if (!ctx.dryRun) {
    if (manager === 'apt')
      await runChecked(ctx, 'apt-get', ['-q', '-o', 'DPkg::Lock::Timeout=300', 'update'], APT_ENV);
    else await runChecked(ctx, 'dnf', ['-q', 'makecache']);
  }
  const security = manager === 'dnf' && securityOnly ? ['--security'] : [];
  const simulation =
    manager === 'apt'
      ? names.length > 0
        ? ['install', ...names]
        : ['upgrade', '--with-new-pkgs']
      : ['upgrade', ...security, ...names];
  const everything = await simulate(ctx, manager, simulation);
  // apt has no security filter of its own: keep the upgrades whose candidate comes from a security archive.
  const planned =
    manager === 'apt' && securityOnly
      ? everything.filter((p) => p.action === 'upgrade' && isSecurityOrigin(p.origin))
      : everything;
  const base = { manager, security_only: securityOnly };
  if (ctx.dryRun) {
    const pending = await rebootRequired(ctx, manager);
    return {
      ok: true,
      changed: false,
      summary: `would apply updates: ${plannedSummary(planned)}`,
      details: { ...base, planned, reboot_required: pending.required },
    };
  }
  if (planned.length === 0) {
    const pending = await rebootRequired(ctx, manager);
    const rebootState =
      reboot && pending.required === true ? await scheduleReboot(ctx) : { rebooting: false };
    return {
      ok: true,
      changed: rebootState.rebooting,
      summary: 'no updates to apply',
      details: {
        ...base,
        changes: [],
        installed: [],
        upgraded: [],
        reboot_required: pending.required,
        ...rebootState,
      },
    };
  }
  const command =
    manager === 'apt'
      ? securityOnly
        ? ['install', '--only-upgrade', ...planned.map((p) => p.name)]
        : simulation
      : simulation;
  const { details, changedNames } = await transact(ctx, manager, command, {
    scope: [...names, ...planned.map((p) => p.name), ...everything.map((p) => p.name)],
  });
  const rebootState =
    reboot && details.reboot_required === true ? await scheduleReboot(ctx) : { rebooting: false };
  ctx.log(`patch.apply changed ${changedNames.length} package(s)`);
  return {
    ok: true,
    changed: changedNames.length > 0 || rebootState.rebooting,
    summary: `updated ${changedNames.length} package(s)${details.reboot_required ? '; a reboot is needed' : ''}${rebootState.rebooting ? ' (rebooting in one minute)' : ''}`,
    details: { ...base, ...details, ...rebootState },
  };
};

/** Name and version of a package file, read from the file itself. */
async function packageIdentity(
  ctx: ActionContext,
  manager: PackageManager,
  path: string,
): Promise<{ name: string; version: string }> {
  const out =
    manager === 'apt'
      ? await runProgram(ctx, 'dpkg-deb', [`--showformat=${DEB_IDENTITY_FORMAT}`, '--show', path])
      : await runProgram(ctx, 'rpm', [
          '-qp',
          '--qf',
          '%{NAME}\\t%|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE}',
          path,
        ]);
  const [name = '', version = ''] = out.stdout.trim().split('\t');
  if (out.code !== 0 || !PACKAGE_NAME.test(name) || version === '') {
    throw new ActionFailure(
      ACTION_ERROR.commandFailed,
      `the downloaded file matches its SHA-256 but is not a valid ${manager === 'apt' ? '.deb' : '.rpm'} package`,
      {},
      out,
    );
  }
  return { name, version };
}

export interface PackageActionOptions {
  /** The pinned server CA (PEM) https downloads must chain to; read at each run. */
  serverCaPem?: () => string | undefined;
  /** Directory in which each download gets its own private temporary directory. */
  downloadRoot?: string;
  /** The agent's server: software library paths resolve against it, their downloads are signed. */
  server?: ServerDownloads;
}

/** software.deploy: download a package, verify its SHA-256, install it; the download is always deleted. */
function deploy(options: PackageActionOptions): ActionImpl {
  return async (params, ctx): Promise<ActionOutcome> => {
    const { url, sha256, filename } = params;
    if (typeof url !== 'string' || url.length > 2048)
      refuse('`url` must be a URL of at most 2048 characters');
    if (typeof sha256 !== 'string' || !SHA256.test(sha256)) refuse('`sha256` must be 64 hexadecimal digits');
    if (typeof filename !== 'string' || !PACKAGE_FILE.test(filename)) {
      refuse(`\`filename\` must be a plain .deb or .rpm file name; got ${describeValue(filename)}`);
    }
    const manager = detectPackageManager();
    const wanted = manager === 'apt' ? '.deb' : '.rpm';
    if (!filename.endsWith(wanted))
      refuse(`this device uses ${manager}, which installs ${wanted} files, not ${filename}`);
    const dir = await mkdtemp(join(options.downloadRoot ?? tmpdir(), 'vigil-deploy-'));
    try {
      const download = await downloadVerified({
        url,
        sha256,
        dir,
        fileName: filename,
        caPem: options.serverCaPem?.(),
        signal: ctx.signal,
        ...(options.server ? { server: options.server } : {}),
      });
      const identity = await packageIdentity(ctx, manager, download.path);
      const source = {
        url: reportableUrl(new URL(resolveDownloadUrl(url, options.server))),
        sha256: sha256.toLowerCase(),
        bytes: download.bytes,
      };
      // apt wants a path that looks like a file (`./name.deb`), run from the download directory.
      const target = manager === 'apt' ? `./${filename}` : download.path;
      const planned = await simulateIn(ctx, manager, target, dir);
      if (ctx.dryRun) {
        return {
          ok: true,
          changed: false,
          summary: `verified ${filename}; would install ${identity.name} ${identity.version}`,
          details: { ...identity, ...source, manager, planned },
        };
      }
      const { details, changedNames } = await transact(ctx, manager, ['install', target], {
        scope: [identity.name, ...planned.map((p) => p.name)],
        cwd: dir,
      });
      ctx.log(`software.deploy installed ${identity.name} ${identity.version}`);
      const fresh = !(details.upgraded as { name: string }[]).some((u) => baseName(u.name) === identity.name);
      return {
        ok: true,
        changed: changedNames.length > 0,
        summary:
          changedNames.length > 0
            ? `installed ${identity.name} ${identity.version} from ${filename}`
            : `${identity.name} ${identity.version} was already installed`,
        details: { ...identity, ...source, ...details },
        ...(changedNames.length > 0 && fresh
          ? { undo: { action: 'package.uninstall', params: { packages: [identity.name] } } }
          : {}),
      };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };
}

/** Simulates installing a local package file (the safety check: it must not remove anything). */
async function simulateIn(
  ctx: ActionContext,
  manager: PackageManager,
  target: string,
  cwd: string,
): Promise<PlannedChange[]> {
  let planned: PlannedChange[];
  if (manager === 'apt') {
    const out = await runChecked(ctx, 'apt-get', [...APT_SIMULATE, 'install', target], { ...APT_ENV, cwd });
    planned = parseAptSimulation(out.stdout);
  } else {
    planned = await simulate(ctx, manager, ['install', target]);
  }
  const removals = planned.filter((p) => p.action === 'remove');
  if (removals.length > 0) {
    refuse(`installing this package would remove ${removals.map((r) => r.name).join(', ')}`, {
      manager,
      planned,
    });
  }
  return planned;
}

/** The Linux package actions; `options` gives software.deploy the pinned server CA. */
export function createLinuxPackageActions(options: PackageActionOptions = {}): ActionImpls {
  return {
    'package.install': reportingFailures(install),
    'package.uninstall': reportingFailures(uninstall),
    'patch.apply': reportingFailures(patchApply),
    'software.deploy': reportingFailures(deploy(options)),
  };
}

/** The Linux package actions without a pinned CA: software.deploy accepts only http to loopback. */
export const linuxPackageActions: ActionImpls = createLinuxPackageActions();
