/**
 * software.deploy's parameters in the console: a package of the server's software library (the
 * server fills in url, sha256 and filename from `package`), or the schema's own fields for a file
 * served elsewhere.
 */
import type { SoftwarePackageT } from '@vigil/protocol';
import { type FormValues, type ParamsSchema, toParams } from './schema-params.js';

/** The action whose form offers the software library. */
export const DEPLOY_ACTION = 'software.deploy';

/** Where the package to deploy comes from. */
export type DeploySource = 'library' | 'url';

/** A package as the picker lists it: name, version, architecture, kind and size. */
export function packageLabel(p: SoftwarePackageT): string {
  return `${p.name} ${p.version} (${p.arch}, .${p.kind}, ${formatSize(p.size)})`;
}

/** A byte count in KiB or MiB with one decimal, or bytes below a KiB. */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/**
 * The run's parameters: `{ package }` for a library package (and nothing of the URL fields, which
 * the server refuses beside it), else the schema fields as typed.
 */
export function deployParams(
  source: DeploySource,
  packageId: string,
  schema: ParamsSchema,
  values: FormValues,
): Record<string, unknown> {
  if (source === 'library') return packageId ? { package: packageId } : {};
  return toParams(schema, values);
}
