import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configDir, readSettings, removeSettings, type StoredSettings, writeSettings } from './settings.js';

const sample: StoredSettings = {
  server: 'https://127.0.0.1:8443',
  ca_pem: '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n',
  ca_fingerprint: `SHA256:${'a'.repeat(64)}`,
  token: 'vgt_secret',
  token_id: 'tok1',
  email: 'a@example.test',
  saved_at: '2025-01-01T00:00:00.000Z',
};

describe('configDir', () => {
  it('prefers VIGIL_CONFIG_DIR, then XDG_CONFIG_HOME/vigil, then ~/.config/vigil', () => {
    expect(configDir({ VIGIL_CONFIG_DIR: '/a', XDG_CONFIG_HOME: '/x', HOME: '/h' })).toBe('/a');
    expect(configDir({ XDG_CONFIG_HOME: '/x', HOME: '/h' })).toBe('/x/vigil');
    expect(configDir({ HOME: '/h' })).toBe('/h/.config/vigil');
  });
});

describe('settings file', () => {
  it('writes a 0600 file in a 0700 directory and reads it back', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'vigil-settings-')), 'nested', 'vigil');
    const file = writeSettings(dir, sample);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readSettings(dir)).toEqual(sample);
    writeSettings(dir, { ...sample, token: 'vgt_other' });
    expect(readSettings(dir)?.token).toBe('vgt_other');
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('returns null when nothing is stored and removes the file on logout', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-settings-'));
    expect(readSettings(dir)).toBeNull();
    expect(removeSettings(dir)).toBe(false);
    writeSettings(dir, sample);
    expect(removeSettings(dir)).toBe(true);
    expect(readSettings(dir)).toBeNull();
  });

  it('refuses a damaged file with E_CONFIG', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-settings-'));
    writeFileSync(join(dir, 'config.json'), '{"server": ');
    expect(() => readSettings(dir)).toThrow(expect.objectContaining({ code: 'E_CONFIG' }));
    writeFileSync(join(dir, 'config.json'), '{"server": "https://x"}');
    expect(() => readSettings(dir)).toThrow(/missing fields/);
    expect(readFileSync(join(dir, 'config.json'), 'utf8')).toContain('https://x');
  });
});
