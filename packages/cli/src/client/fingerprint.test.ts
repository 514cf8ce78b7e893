import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrCreateServerKeys, certificateFingerprint as serverFingerprint } from '@vigil/server';
import { beforeAll, describe, expect, it } from 'vitest';
import { certificateFingerprint, fingerprintsMatch, parseFingerprint } from './fingerprint.js';

describe('fingerprints', () => {
  let caPem = '';
  let tlsPem = '';

  beforeAll(async () => {
    const keys = await loadOrCreateServerKeys(mkdtempSync(join(tmpdir(), 'vigil-fp-')), { hosts: [] });
    caPem = keys.ca.certPem;
    tlsPem = keys.tls.certPem;
  });

  it('computes the same fingerprint as the server', () => {
    expect(certificateFingerprint(caPem)).toBe(serverFingerprint(caPem));
    expect(certificateFingerprint(caPem)).toMatch(/^SHA256:[0-9a-f]{64}$/);
    expect(certificateFingerprint(tlsPem)).not.toBe(certificateFingerprint(caPem));
  });

  it('accepts a pin in any case, with colons or without the prefix', () => {
    const fp = certificateFingerprint(caPem);
    const hex = fp.slice(7);
    expect(parseFingerprint(hex.toUpperCase())).toBe(fp);
    expect(parseFingerprint(`sha256:${hex.match(/../g)?.join(':')}`)).toBe(fp);
    expect(fingerprintsMatch(fp, ` ${hex.toUpperCase()} `)).toBe(true);
  });

  it('tells different certificates apart and refuses malformed pins', () => {
    expect(fingerprintsMatch(certificateFingerprint(caPem), certificateFingerprint(tlsPem))).toBe(false);
    expect(() => parseFingerprint('SHA256:abc')).toThrow(expect.objectContaining({ code: 'E_VALIDATION' }));
    expect(() => parseFingerprint(`SHA1:${'a'.repeat(64)}`)).toThrow(/not a CA fingerprint/);
  });
});
