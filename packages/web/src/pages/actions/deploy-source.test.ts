import type { SoftwarePackageT } from '@vigil/protocol';
import { describe, expect, it } from 'vitest';
import { deployParams, formatSize, packageLabel } from './deploy-source.js';
import type { ParamsSchema } from './schema-params.js';

const schema: ParamsSchema = {
  required: ['url', 'sha256', 'filename'],
  properties: { url: { type: 'string' }, sha256: { type: 'string' }, filename: { type: 'string' } },
};

describe('software.deploy parameters', () => {
  it('sends only the package id for a library package (the server fills in the rest)', () => {
    const typed = { url: 'https://mirror.example/x.deb', sha256: 'a'.repeat(64), filename: 'x.deb' };
    expect(deployParams('library', 'pkg_1', schema, typed)).toEqual({ package: 'pkg_1' });
    expect(deployParams('library', '', schema, typed)).toEqual({});
  });

  it('sends the typed URL fields when the file is served elsewhere', () => {
    const typed = { url: 'https://mirror.example/x.deb', sha256: 'a'.repeat(64), filename: 'x.deb' };
    expect(deployParams('url', 'pkg_1', schema, typed)).toEqual(typed);
  });

  it('labels a package with its version, architecture, kind and size', () => {
    const p = {
      name: 'vigil-tools',
      version: '1.2-1',
      arch: 'amd64',
      kind: 'deb',
      size: 1536,
    } as SoftwarePackageT;
    expect(packageLabel(p)).toBe('vigil-tools 1.2-1 (amd64, .deb, 1.5 KiB)');
    expect(formatSize(10)).toBe('10 B');
    expect(formatSize(5 * 1024 * 1024)).toBe('5.0 MiB');
  });
});
