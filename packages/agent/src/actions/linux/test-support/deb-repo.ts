/**
 * Tiny Debian packages and local apt repositories for the package action tests, with no network:
 * packages are built with `dpkg-deb`, repositories are flat `file:` repositories with a Release
 * file (whose Suite makes apt label an upgrade as coming from a security archive), and an
 * APT_CONFIG file points apt at those repositories only, with its own lists and cache, so the
 * tests never touch the host's sources. dpkg's database is the real one: installs are real.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

const TIMEOUT_MS = 60_000;

export interface DebSpec {
  name: string;
  version: string;
  depends?: string;
}

/** Builds `name_version_all.deb` in `dir` (it installs /usr/share/NAME/version); returns its path. */
export function buildDeb(dir: string, spec: DebSpec): string {
  const root = join(dir, `${spec.name}-${spec.version}`);
  mkdirSync(join(root, 'DEBIAN'), { recursive: true });
  mkdirSync(join(root, 'usr/share', spec.name), { recursive: true });
  writeFileSync(
    join(root, 'DEBIAN/control'),
    [
      `Package: ${spec.name}`,
      `Version: ${spec.version}`,
      'Architecture: all',
      'Maintainer: Vigil tests <tests@vigil.invalid>',
      ...(spec.depends ? [`Depends: ${spec.depends}`] : []),
      'Description: Vigil package action test package',
      '',
    ].join('\n'),
  );
  writeFileSync(join(root, 'usr/share', spec.name, 'version'), `${spec.version}\n`);
  const deb = join(dir, `${spec.name}_${spec.version}_all.deb`);
  execFileSync('dpkg-deb', ['--root-owner-group', '-Zgzip', '-b', root, deb], {
    timeout: TIMEOUT_MS,
    stdio: 'pipe',
  });
  return deb;
}

/** The SHA-256 of a file, hex. */
export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** Writes a flat repository holding `debs` (copied in) with a Release naming `suite`. */
export function createFlatRepo(dir: string, suite: string, debs: string[]): string {
  mkdirSync(dir, { recursive: true });
  const stanzas: string[] = [];
  for (const deb of debs) {
    const file = basename(deb);
    writeFileSync(join(dir, file), readFileSync(deb));
    const control = execFileSync('dpkg-deb', ['-f', deb], {
      timeout: TIMEOUT_MS,
      encoding: 'utf8',
    }).trimEnd();
    stanzas.push(
      `${control}\nFilename: ./${file}\nSize: ${statSync(deb).size}\nSHA256: ${sha256File(deb)}\n`,
    );
  }
  const packages = stanzas.join('\n');
  writeFileSync(join(dir, 'Packages'), packages);
  const size = Buffer.byteLength(packages);
  const hash = createHash('sha256').update(packages).digest('hex');
  writeFileSync(
    join(dir, 'Release'),
    [
      'Origin: Vigil-Tests',
      'Label: Vigil-Tests',
      `Suite: ${suite}`,
      `Codename: ${suite}`,
      `Date: ${new Date().toUTCString()}`,
      'Architectures: all amd64 arm64',
      'SHA256:',
      ` ${hash} ${size} Packages`,
      '',
    ].join('\n'),
  );
  return dir;
}

/** An APT_CONFIG file that makes apt see only `repos`, with private lists and cache under `dir`. */
export function writeAptConfig(dir: string, repos: string[]): string {
  for (const sub of ['lists/partial', 'cache/archives/partial', 'sources.list.d']) {
    mkdirSync(join(dir, sub), { recursive: true });
  }
  writeFileSync(join(dir, 'sources.list'), repos.map((r) => `deb [trusted=yes] file:${r} ./\n`).join(''));
  const config = join(dir, 'apt.conf');
  writeFileSync(
    config,
    [
      `Dir::Etc::SourceList "${join(dir, 'sources.list')}";`,
      `Dir::Etc::SourceParts "${join(dir, 'sources.list.d')}";`,
      `Dir::State::Lists "${join(dir, 'lists')}";`,
      `Dir::Cache "${join(dir, 'cache')}";`,
      '',
    ].join('\n'),
  );
  return config;
}

/** The installed version of a package per dpkg, or null when it is not installed. */
export function dpkgVersion(name: string): string | null {
  try {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own ${field} format, not a JS template
    const out = execFileSync('dpkg-query', ['-W', '-f', '${db:Status-Abbrev}\\t${Version}', name], {
      timeout: TIMEOUT_MS,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const [status, version] = out.split('\t');
    return status?.startsWith('ii') ? (version ?? null) : null;
  } catch {
    return null;
  }
}

/** Purges packages (test set-up and clean-up), waiting for the dpkg lock other runs may hold. */
export function purgePackages(names: string[]): void {
  const present = names.filter((n) => dpkgVersion(n) !== null);
  if (present.length === 0) return;
  execFileSync('apt-get', ['-y', '-q', '-o', 'DPkg::Lock::Timeout=120', 'purge', ...present], {
    timeout: 180_000,
    stdio: 'pipe',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

/** Installs package files with dpkg (test set-up), waiting for the lock through apt. */
export function installDebFiles(paths: string[]): void {
  execFileSync('apt-get', ['-y', '-q', '-o', 'DPkg::Lock::Timeout=120', 'install', ...paths], {
    timeout: 180_000,
    stdio: 'pipe',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}
