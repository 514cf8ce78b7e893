import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrCreateServerKeys } from '@vigil/server';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeSettings } from '../settings.js';
import { resolveConnection } from './connection.js';

describe('resolveConnection', () => {
  const server = 'https://127.0.0.1:8443';
  let dir = '';
  let caPem = '';

  beforeAll(async () => {
    const keys = await loadOrCreateServerKeys(mkdtempSync(join(tmpdir(), 'vigil-conn-keys-')), { hosts: [] });
    caPem = keys.ca.certPem;
    dir = mkdtempSync(join(tmpdir(), 'vigil-conn-'));
    writeSettings(dir, {
      server,
      ca_pem: caPem,
      ca_fingerprint: keys.caFingerprint,
      token: 'vgt_stored',
      token_id: 't1',
      email: 'a@example.test',
      saved_at: '',
    });
  });

  it('uses the stored server, token and CA', async () => {
    expect(await resolveConnection({}, dir)).toEqual({ server, token: 'vgt_stored', caPem });
  });

  it('lets VIGIL_TOKEN replace the stored token for the stored server', async () => {
    expect(await resolveConnection({ VIGIL_TOKEN: 'vgt_env', VIGIL_SERVER: `${server}/` }, dir)).toEqual({
      server,
      token: 'vgt_env',
      caPem,
    });
  });

  it('never sends the stored token or CA to another server', async () => {
    await expect(resolveConnection({ VIGIL_SERVER: 'https://127.0.0.2:8443' }, dir)).rejects.toMatchObject({
      code: 'E_UNAUTHENTICATED',
    });
    expect(
      await resolveConnection({ VIGIL_SERVER: 'https://127.0.0.2:8443', VIGIL_TOKEN: 'vgt_env' }, dir),
    ).toEqual({
      server: 'https://127.0.0.2:8443',
      token: 'vgt_env',
      caPem: null,
    });
  });

  it('refuses plain http and a stored CA that no longer matches its fingerprint', async () => {
    await expect(
      resolveConnection({ VIGIL_SERVER: 'http://127.0.0.1:8443', VIGIL_TOKEN: 'x' }, dir),
    ).rejects.toMatchObject({ code: 'E_VALIDATION' });
    const other = mkdtempSync(join(tmpdir(), 'vigil-conn-'));
    writeSettings(other, {
      server,
      ca_pem: caPem,
      ca_fingerprint: `SHA256:${'0'.repeat(64)}`,
      token: 't',
      token_id: 't',
      email: '',
      saved_at: '',
    });
    await expect(resolveConnection({}, other)).rejects.toMatchObject({ code: 'E_CONFIG' });
  });

  it('explains how to log in when nothing is configured', async () => {
    await expect(resolveConnection({}, mkdtempSync(join(tmpdir(), 'vigil-conn-')))).rejects.toThrow(
      /run vigil login/,
    );
  });
});
