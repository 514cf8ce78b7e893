/**
 * What an uploaded file is: its format from its first bytes (a .deb is an `ar` archive whose first
 * member is `debian-binary`; an .rpm starts with the RPM lead magic), and its name, version and
 * architecture from the package itself — `dpkg-deb -f` or `rpm -qp --queryformat`, run with
 * argument arrays — or from the uploader's fields where this server has no such tool.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  compileValidator,
  SoftwareArch,
  type SoftwareKindT,
  SoftwareName,
  type SoftwareUploadQueryT,
  SoftwareVersion,
  VigilError,
} from '@vigil/protocol';

const run = promisify(execFile);
const TOOL_TIMEOUT_MS = 30_000;

/** Name, version and architecture of a package. */
export interface PackageIdentity {
  name: string;
  version: string;
  arch: string;
}

const RPM_LEAD = Buffer.from([0xed, 0xab, 0xee, 0xdb]);
const validators = {
  name: compileValidator(SoftwareName),
  version: compileValidator(SoftwareVersion),
  arch: compileValidator(SoftwareArch),
};

/** The package format of a file from its first bytes, or null when it is neither. */
export function detectKind(head: Buffer): SoftwareKindT | null {
  if (
    head.subarray(0, 8).toString('latin1') === '!<arch>\n' &&
    head.subarray(8, 21).toString('latin1') === 'debian-binary'
  )
    return 'deb';
  if (head.length >= 4 && head.subarray(0, 4).equals(RPM_LEAD)) return 'rpm';
  return null;
}

/** Runs a package tool; undefined when the tool is not installed on this server. */
async function tool(program: string, args: string[]): Promise<string | undefined> {
  try {
    const { stdout } = await run(program, args, {
      timeout: TOOL_TIMEOUT_MS,
      maxBuffer: 64 * 1024,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C' },
    });
    return stdout;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new VigilError(
      'E_SOFTWARE_TYPE',
      `the file starts like a package but ${program} cannot read it (damaged or truncated?)`,
    );
  }
}

/** Reads name, version and architecture from the package; undefined when no tool can. */
export async function readIdentity(path: string, kind: SoftwareKindT): Promise<PackageIdentity | undefined> {
  if (kind === 'deb') {
    const out = await tool('dpkg-deb', ['-f', path, 'Package', 'Version', 'Architecture']);
    if (out === undefined) return undefined;
    const field = (f: string) => new RegExp(`^${f}: *(.*)$`, 'm').exec(out)?.[1]?.trim() ?? '';
    return { name: field('Package'), version: field('Version'), arch: field('Architecture') };
  }
  const out = await tool('rpm', [
    '-qp',
    '--nosignature',
    '--nodigest',
    '--queryformat',
    '%{NAME}\\t%|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE}\\t%{ARCH}',
    path,
  ]);
  if (out === undefined) return undefined;
  const [name = '', version = '', arch = ''] = out.trim().split('\t');
  return { name, version, arch };
}

/**
 * The package's identity: what it says about itself, checked against what the uploader said; or,
 * where the server cannot read it, the uploader's fields (all three required then).
 */
export function settleIdentity(
  kind: SoftwareKindT,
  read: PackageIdentity | undefined,
  given: SoftwareUploadQueryT,
): PackageIdentity {
  const fields = ['name', 'version', 'arch'] as const;
  if (!read) {
    const missing = fields.filter((f) => given[f] === undefined);
    if (missing.length > 0)
      throw new VigilError(
        'E_SOFTWARE_METADATA',
        `this server has no ${kind === 'deb' ? 'dpkg-deb' : 'rpm'} to read the package with: give ${missing.join(', ')} (vigil software upload --name --package-version --arch)`,
      );
    return { name: given.name as string, version: given.version as string, arch: given.arch as string };
  }
  for (const f of fields) {
    const value = read[f];
    if (!validators[f].check(value))
      throw new VigilError(
        'E_SOFTWARE_METADATA',
        `the package's ${f} '${String(value).slice(0, 130)}' is not one the library accepts`,
      );
    if (given[f] !== undefined && given[f] !== value)
      throw new VigilError(
        'E_SOFTWARE_METADATA',
        `you gave ${f} '${given[f]}' but the package says '${value}'; leave the field out or fix it`,
      );
  }
  return read;
}

/** The file name agents store the download under (epoch left out, as the distributions name files). */
export function packageFileName(kind: SoftwareKindT, id: PackageIdentity): string {
  const version = id.version.replace(/^\d+:/, '').replace(/:/g, '_');
  const raw =
    kind === 'deb' ? `${id.name}_${version}_${id.arch}.deb` : `${id.name}-${version}.${id.arch}.rpm`;
  return raw.replace(/[^A-Za-z0-9+._~-]/g, '_').slice(-255);
}
